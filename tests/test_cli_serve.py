"""``campagne demo``, ``serve`` and ``db upgrade`` as a user runs them: real processes,
real HTTP on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_kit import free_port, get, running

from campagne.cli import main
from campagne.testing import RegionKit


def test_demo_serves_both_regions_on_sqlite(tmp_path: Path) -> None:
    with running(["demo"], tmp_path) as base:
        status, body = get(f"{base}/gers/")
        assert status == 200 and b"Soho Solo Gers" in body
        regions = json.loads(get(f"{base}/api/v1/regions")[1])
        assert [r["slug"] for r in regions] == ["gers", "orne"]
        gers = json.loads(get(f"{base}/api/v1/regions/gers")[1])
        assert gers["key_figures"]["members_total"] == 350
    assert (tmp_path / "campagne-demo.db").is_file()


def test_demo_restarts_on_its_database_without_duplicating(tmp_path: Path) -> None:
    for _ in range(2):
        with running(["demo", "--region", "orne"], tmp_path) as base:
            regions = json.loads(get(f"{base}/api/v1/regions")[1])
            assert [r["slug"] for r in regions] == ["orne"]
            orne = json.loads(get(f"{base}/api/v1/regions/orne")[1])
            assert orne["key_figures"]["members_total"] == 120


def test_serve_a_region_folder_on_a_given_database(tmp_path: Path) -> None:
    folder = RegionKit(tmp_path / "regions").region("lot")
    database = f"sqlite:///{tmp_path / 'lot.db'}"
    with running(["serve", str(folder), "--db", database], tmp_path) as base:
        lot = json.loads(get(f"{base}/api/v1/regions/lot")[1])
        assert lot["key_figures"]["members_total"] == 0, "serve generates no demo data"
        assert lot["programme"]["name"] == "Programme d'essai"
        assert get(f"{base}/lot/")[0] == 200


def test_serve_refuses_a_broken_folder_with_file_and_line(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    folder = RegionKit(tmp_path / "regions").region(
        "lot", config="slug: lot\ncode: '46'\nname: Lot\nprogramme: [\n")
    assert main(["serve", str(folder), "--db", f"sqlite:///{tmp_path / 'x.db'}"]) == 2
    error = capsys.readouterr().err
    assert f"{folder / 'region.yaml'}:" in error
    assert "Traceback" not in error


def test_demo_rejects_an_unknown_region(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--region", "cantal"]) == 2
    assert "unknown reference region(s) cantal" in capsys.readouterr().err


def test_db_upgrade_creates_the_schema(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    database = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert main(["db", "upgrade", "--db", database]) == 0
    assert "up to date" in capsys.readouterr().out
    from campagne.db import make_engine, schema_is_current

    assert schema_is_current(make_engine(database))


def test_unreachable_database_is_a_message_not_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"postgresql://nobody@127.0.0.1:{free_port()}/none"
    assert main(["db", "upgrade", "--db", url]) == 1
    error = capsys.readouterr().err
    assert error.startswith("campagne: database error:")
    assert "Traceback" not in error
