"""What the wheel ships: every package of the source tree, with its templates."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]
FOLDERS = {"campagne": ROOT / "core", "campagne.plugins": ROOT / "plugins",
           "campagne.reference_regions": ROOT / "regions"}


def _setuptools() -> dict[str, object]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    tool: dict[str, object] = project["tool"]["setuptools"]
    return tool


def _packages_in_tree() -> set[str]:
    found = set()
    for name, folder in FOLDERS.items():
        for init in folder.rglob("__init__.py"):
            parts = init.parent.relative_to(folder).parts
            if "example_package" not in parts:
                found.add(".".join((name, *parts)))
    return found


def test_every_package_of_the_tree_is_shipped() -> None:
    listed = set(_setuptools()["packages"])  # type: ignore[call-overload]
    missing = _packages_in_tree() - listed
    assert missing == set(), "add them to [tool.setuptools] packages in pyproject.toml"


def test_every_template_of_a_package_is_shipped() -> None:
    package_data: dict[str, list[str]] = _setuptools()["package-data"]  # type: ignore[assignment]
    for template in (ROOT / "core").rglob("*.html"):
        relative = template.relative_to(ROOT / "core")
        owners = [(name, patterns) for name, patterns in package_data.items()
                  if name.startswith("campagne") and not name.startswith(
                      ("campagne.plugins", "campagne.reference_regions"))]
        shipped = False
        for name, patterns in owners:
            prefix = Path(*name.split(".")[1:])
            if prefix != Path() and not relative.is_relative_to(prefix):
                continue
            inside = relative.relative_to(prefix).as_posix()
            shipped = shipped or any(fnmatch.fnmatch(inside, pattern) for pattern in patterns)
        assert shipped, f"{relative} is not in [tool.setuptools.package-data]"
