"""``campagne check`` names each problem once, at the path the user gave."""

from __future__ import annotations

from pathlib import Path

import pytest

from campagne.cli import main
from campagne.testing import RegionKit, minimal_region


def test_a_broken_region_module_listed_in_yaml_is_reported_once(
        kit: RegionKit, capsys: pytest.CaptureFixture[str]) -> None:
    config = minimal_region(plugins={"bonus": None})
    folder = kit.region("lot", config=config, plugins={"bonus.py": "import missing_module\n"})
    assert main(["check", str(folder)]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if ": " in line]
    assert len([line for line in lines if "bonus" in line]) == 1, lines
    assert lines[0].startswith(f"{folder / 'plugins' / 'bonus.py'}:1:")


def test_a_misspelt_hook_is_named_at_the_path_given(
        kit: RegionKit, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = kit.region("lot", plugins={"typo.py": (
        "from campagne import hookimpl\n\n\n"
        "@hookimpl\n"
        "def register_service(region):\n"
        "    return []\n")})
    monkeypatch.chdir(folder.parent)
    relative = Path("lot")
    assert main(["check", str(relative)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("lot/plugins/typo.py:4:") or error.startswith("lot/plugins/typo.py:5:")
    assert "'register_service' is not a Campagne hook" in error
