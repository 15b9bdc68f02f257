"""The toolkit's reference and the release stamps stay true: every public name of
``campagne.toolkit`` is documented in docs/toolkit.md and nothing else is, and the versions
named by the hook reference, the toolkit and the package are releases of the CHANGELOG."""

from __future__ import annotations

import ast
import inspect
import re
import tomllib
from pathlib import Path

import campagne
from campagne import hookspecs, toolkit

ROOT = Path(__file__).resolve().parent.parent
TOOLKIT_DOC = ROOT / "docs" / "toolkit.md"
CHANGELOG = ROOT / "CHANGELOG.md"
# A row of a reference table: | `name` | what it is |
REFERENCE_ROW = re.compile(r"^\| `([A-Za-z_][A-Za-z0-9_]*)` \|", re.MULTILINE)
RELEASE_HEADING = re.compile(r"^## (\d+\.\d+\.\d+)\b", re.MULTILINE)
VERSION_STAMP = re.compile(r"\.\. version(added|changed):: (\S+)")


def documented_names() -> list[str]:
    """The names of the reference tables of docs/toolkit.md, in order."""
    return REFERENCE_ROW.findall(TOOLKIT_DOC.read_text(encoding="utf-8"))


def releases() -> list[str]:
    """The versions of the CHANGELOG's headings, newest first."""
    return RELEASE_HEADING.findall(CHANGELOG.read_text(encoding="utf-8"))


def test_every_public_name_of_the_toolkit_is_documented_once() -> None:
    names = documented_names()
    assert sorted(set(names)) == sorted(names), "a name documented twice"
    assert set(toolkit.__all__) - set(names) == set(), "names missing from docs/toolkit.md"
    assert set(names) - set(toolkit.__all__) == set(), "documented names not in __all__"


def test_every_public_name_exists_and_says_what_it_is() -> None:
    for name in toolkit.__all__:
        value = getattr(toolkit, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            assert (value.__doc__ or "").strip(), f"{name} has no docstring"


def test_the_toolkit_names_only_its_own_public_names() -> None:
    """Imports of the module (``dt``, ``i18n``...) are not part of the promise."""
    tree = ast.parse(Path(toolkit.__file__).read_text(encoding="utf-8"))
    defined = {node.name for node in tree.body
               if isinstance(node, ast.FunctionDef | ast.ClassDef)}
    assert defined <= set(toolkit.__all__)
    assert "i18n" not in toolkit.__all__ and "dt" not in toolkit.__all__


def test_the_guides_link_to_the_toolkit_reference() -> None:
    for doc in (ROOT / "README.md", ROOT / "docs" / "plugins.md"):
        assert "toolkit.md" in doc.read_text(encoding="utf-8"), doc.name


def test_version_stamps_of_the_hooks_name_releases() -> None:
    stamps = VERSION_STAMP.findall(Path(hookspecs.__file__).read_text(encoding="utf-8"))
    assert stamps, "no version stamp in the hook specifications"
    unknown = sorted({version for _, version in stamps} - set(releases()))
    assert unknown == [], f"versions that are no release of CHANGELOG.md: {unknown}"


def test_the_package_version_is_the_next_release() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["version"] == campagne.__version__
    next_release = releases()[0]
    assert campagne.__version__ in (next_release, f"{next_release}.dev0")
    first_heading = next(line for line in CHANGELOG.read_text(encoding="utf-8").splitlines()
                         if line.startswith("## "))
    if campagne.__version__.endswith(".dev0"):
        assert first_heading.startswith(f"## {next_release} (unreleased)")
    assert toolkit.TOOLKIT_VERSION in releases()
