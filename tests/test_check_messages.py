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


def test_db_upgrade_with_region_folders_prepares_workers(
        kit: RegionKit, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``db upgrade DIR`` migrates and copies the configuration, so that workers started
    with ``uvicorn --factory campagne.app:create_app_from_env`` find the services."""
    from fastapi.testclient import TestClient

    from campagne.app import create_app_from_env

    folder = kit.region("lot")
    database = f"sqlite:///{tmp_path / 'workers.db'}"
    assert main(["db", "upgrade", "--db", database, str(folder)]) == 0
    monkeypatch.setenv("CAMPAGNE_DATABASE_URL", database)
    monkeypatch.setenv("CAMPAGNE_REGION_DIRS", f'["{folder}"]')
    with TestClient(create_app_from_env()) as client:
        services = client.get("/api/v1/regions/lot/services").json()
    assert [service["slug"] for service in services] == ["accueil"]
