"""Installing the example plug-in packages of ``tests/`` as ``pip install`` would leave them
(their code and a ``.dist-info`` with the entry points their ``pyproject.toml`` declares),
in a site folder on ``sys.path`` for one test only."""

from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path

import pytest

from campagne.plugin_loading import ENTRY_POINT_GROUP

EXAMPLE_PACKAGE = Path(__file__).parent / "example_package"
EXAMPLE_MODULE = "campagne_example_incentive"
OPTIN_PACKAGE = Path(__file__).parent / "example_optin_package"
OPTIN_MODULE = "campagne_example_optin"


def site_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty site folder put first on ``sys.path`` for the test."""
    folder = tmp_path / "site-packages"
    folder.mkdir(exist_ok=True)
    monkeypatch.syspath_prepend(str(folder))
    return folder


def write_dist_info(site: Path, name: str, version: str, entry_points_text: str) -> None:
    """Write the ``.dist-info`` an installer would write for a distribution."""
    dist_info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")
    (dist_info / "entry_points.txt").write_text(entry_points_text, encoding="utf-8")


def install_project(site: Path, project_folder: Path, module: str,
                    monkeypatch: pytest.MonkeyPatch) -> str:
    """A project of ``tests/`` installed in ``site``; return its distribution name. Its
    module is imported afresh by the test (an earlier test's copy is forgotten)."""
    project = tomllib.loads((project_folder / "pyproject.toml").read_text("utf-8"))["project"]
    shutil.copytree(project_folder / module, site / module,
                    ignore=shutil.ignore_patterns("__pycache__"))
    lines = [f"[{ENTRY_POINT_GROUP}]"] + [
        f"{name} = {target}" for name, target in project["entry-points"]["campagne"].items()]
    write_dist_info(site, project["name"], project["version"], "\n".join(lines) + "\n")
    monkeypatch.delitem(sys.modules, module, raising=False)
    return str(project["name"])


def install_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """``tests/example_package`` installed for the test; return its distribution name."""
    return install_project(site_folder(tmp_path, monkeypatch), EXAMPLE_PACKAGE,
                           EXAMPLE_MODULE, monkeypatch)
