"""Plug-ins shipped with Campagne import only what plug-in authors are promised:
``campagne.toolkit`` (and ``campagne.testing`` in their tests), so that an internal change
of the engine never breaks them, and they show third parties the way."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Every file that stands for a plug-in as a third party would write it.
PLUGIN_FILES = ("plugins/*.py", "regions/*/plugins/*.py", "tests/example_package/**/*.py")
PUBLIC = "campagne.toolkit"
TESTING = "campagne.testing"
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def plugin_files() -> list[Path]:
    """The plug-in modules of this repository, sorted."""
    return sorted({file for pattern in PLUGIN_FILES for file in ROOT.glob(pattern)})


def is_test_file(file: Path) -> bool:
    """A test module, which may use the test kit besides the toolkit."""
    return file.name.startswith("test_") or file.name == "conftest.py"


def forbidden_imports(tree: ast.AST, *, in_tests: bool) -> list[tuple[int, str]]:
    """``(line, module)`` of each import of a ``campagne`` module that is not allowed."""
    allowed = {PUBLIC, TESTING} if in_tests else {PUBLIC}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # ``from campagne import toolkit`` names the toolkit too.
            names = [f"{node.module}.{alias.name}" if node.module == "campagne" else node.module
                     for alias in node.names]
        else:
            continue
        for name in dict.fromkeys(names):
            if name.split(".")[0] != "campagne":
                continue
            if not any(name == module or name.startswith(f"{module}.") for module in allowed):
                found.append((node.lineno, name))
    return found


def test_there_are_plugin_files_to_check() -> None:
    names = {file.relative_to(ROOT).as_posix() for file in plugin_files()}
    assert {"plugins/housing.py", "regions/gers/plugins/free_offices.py",
            "tests/example_package/campagne_example_incentive/__init__.py"} <= names


@pytest.mark.parametrize("file", plugin_files(), ids=lambda f: f.relative_to(ROOT).as_posix())
def test_shipped_plugins_import_only_the_toolkit(file: Path) -> None:
    tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    bad = forbidden_imports(tree, in_tests=is_test_file(file))
    assert bad == [], "\n".join(
        f"{file.relative_to(ROOT)}:{line}: imports {name}; use {PUBLIC}" for line, name in bad)


def test_examples_of_the_plugin_guide_import_only_the_toolkit() -> None:
    """The guide's examples are what authors copy: they show the toolkit, and the test kit
    where they are tests."""
    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    bad = []
    for index, block in enumerate(PYTHON_BLOCK.findall(text)):
        try:
            tree = ast.parse(block)
        except SyntaxError:  # a signature line, not a module
            continue
        in_tests = "def test_" in block
        bad += [(index, line, name) for line, name in forbidden_imports(tree, in_tests=in_tests)]
    assert bad == [], f"examples importing engine internals (block, line, module): {bad}"


@pytest.mark.parametrize(("source", "in_tests", "expected"), [
    ("from campagne.toolkit import hookimpl", False, []),
    ("from campagne import toolkit", False, []),
    ("import campagne.toolkit as kit", False, []),
    ("from campagne import hookimpl", False, [(1, "campagne.hookimpl")]),
    ("from campagne.config import Source", False, [(1, "campagne.config")]),
    ("import campagne.plugin_types", False, [(1, "campagne.plugin_types")]),
    ("def f():\n    from campagne.taxonomy import SECTORS", False, [(2, "campagne.taxonomy")]),
    ("from campagne.testing import RegionKit", False, [(1, "campagne.testing")]),
    ("from campagne.testing import RegionKit", True, []),
    ("from campagne.toolkitx import a", False, [(1, "campagne.toolkitx")]),
    ("from pydantic import BaseModel\nfrom .sibling import x", False, []),
])
def test_the_rule_itself(source: str, in_tests: bool, expected: list[tuple[int, str]]) -> None:
    assert forbidden_imports(ast.parse(source), in_tests=in_tests) == expected
