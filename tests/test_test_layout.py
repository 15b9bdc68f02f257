"""The suite's own layout: test modules share helpers through kit modules (``*_kit.py``,
``matrix_*.py``), conftest files and Campagne's pytest plug-in, never by importing one
another; and, with no ``__init__.py``, every module name is unique under tests/."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
# Installable example plug-in packages: their modules are not the suite's.
PACKAGES = ("example_package", "example_optin_package")


def suite_modules() -> list[Path]:
    """Every Python module of the suite (tests, kits, conftest files), sorted."""
    return sorted(path for path in TESTS.rglob("*.py")
                  if not set(path.relative_to(TESTS).parts) & {*PACKAGES, "__pycache__"})


def imported_modules(tree: ast.AST) -> list[tuple[int, str, list[str]]]:
    """``(line, module, names)`` of each absolute import in ``tree``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module, [alias.name for alias in node.names]))
    return found


def faults(source: str, name: str, local: set[str]) -> list[str]:
    """The imports of ``source`` (the module ``name``) that reach into a test module of
    ``local`` (the suite's module names) or take a private name from one of them."""
    found = []
    for line, module, names in imported_modules(ast.parse(source, filename=name)):
        top = module.split(".")[0]
        if top == "tests" or (top.startswith("test_") and top in local):
            found.append(f"{name}:{line}: imports the test module {module}; move what it "
                         "shares to a *_kit.py module, a conftest.py or the pytest plug-in")
        elif top in local:
            found.extend(f"{name}:{line}: imports the private name {private} from {module}"
                         for private in names if private.startswith("_"))
    return found


def test_the_suite_has_modules_to_check() -> None:
    names = {path.stem for path in suite_modules()}
    assert {"conftest", "accounts_kit", "test_test_layout"} <= names


@pytest.mark.parametrize("file", suite_modules(), ids=lambda f: f.relative_to(TESTS).as_posix())
def test_no_module_imports_a_test_module(file: Path) -> None:
    local = {path.stem for path in suite_modules()}
    source = file.read_text(encoding="utf-8")
    assert faults(source, file.relative_to(TESTS).as_posix(), local) == []


def test_the_check_sees_a_test_module_and_a_private_name() -> None:
    source = ("from test_browser import Tab\nimport test_cli_serve as serving\n"
              "from accounts_kit import _secret, world\nfrom campagne.testing import RegionKit\n"
              "from test_results import Table\n")  # not a module of the suite
    found = faults(source, "test_x.py", {"test_browser", "test_cli_serve", "accounts_kit"})
    assert [fault.split(";")[0] for fault in found] == [
        "test_x.py:1: imports the test module test_browser",
        "test_x.py:2: imports the test module test_cli_serve",
        "test_x.py:3: imports the private name _secret from accounts_kit"]


def test_module_names_are_unique_in_the_suite() -> None:
    """pytest imports the modules by their base name (no ``__init__.py``): two test modules
    of one name in two folders would collide."""
    counts = Counter(path.stem for path in suite_modules() if path.stem != "conftest")
    assert [name for name, count in counts.items() if count > 1] == []
