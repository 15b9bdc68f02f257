"""Where the schema stands: ``campagne db upgrade --check`` (exit 1 when migrations are
pending or the schema is a newer release's), the refusal to serve a newer release's
database, the web workers' refusal to start on a schema not migrated, and ``/readyz``."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from campagne.app import create_app_from_env
from campagne.cli import main
from campagne.db import make_engine, upgrade
from campagne.testing import RegionKit


def test_upgrade_check_says_pending_then_current(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = f"sqlite:///{tmp_path / 'c.db'}"
    upgrade(make_engine(database), "0008")
    assert main(["db", "upgrade", "--check", "--db", database]) == 1
    out = capsys.readouterr().out
    assert "migrations are pending: the engine's (0008 -> " in out
    assert "run campagne db upgrade" in out
    assert main(["db", "upgrade", "--db", database]) == 0
    capsys.readouterr()
    assert main(["db", "upgrade", "--check", "--db", database]) == 0
    assert "the schema is current" in capsys.readouterr().out


def test_a_newer_releases_database_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], kit: RegionKit) -> None:
    database = f"sqlite:///{tmp_path / 'n.db'}"
    engine = make_engine(database)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    assert main(["db", "upgrade", "--check", "--db", database]) == 1
    assert "revision 9999, which this release does not know" in capsys.readouterr().out
    assert main(["db", "upgrade", "--db", database]) == 2
    err = capsys.readouterr().err
    assert err.startswith("campagne: refusing to start: the database is at revision 9999")
    assert "Traceback" not in err
    assert main(["serve", "--db", database, str(kit.region("lot"))]) == 2
    assert "which this release does not know" in capsys.readouterr().err


def test_web_workers_refuse_a_schema_not_migrated_and_readyz_says_why(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        kit: RegionKit) -> None:
    folder = kit.region("lot")
    database = f"sqlite:///{tmp_path / 'w.db'}"
    monkeypatch.setenv("CAMPAGNE_DATABASE_URL", database)
    monkeypatch.setenv("CAMPAGNE_REGION_DIRS", f'["{folder}"]')
    monkeypatch.setenv("CAMPAGNE_LOAD_ENTRY_POINTS", "false")
    upgrade(make_engine(database), "0009")
    with pytest.raises(SystemExit) as stopped:
        create_app_from_env()
    assert stopped.value.code == 2
    assert "migrations are pending" in capsys.readouterr().err
    assert main(["db", "upgrade", "--db", database, str(folder)]) == 0
    with TestClient(create_app_from_env()) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["status"] == "ready" and ready.json()["schema"] == "current"
        engine = make_engine(database)
        with engine.begin() as connection:  # another release's migration ran meanwhile
            connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        engine.dispose()
        late = client.get("/readyz")
        assert late.status_code == 503
        assert late.json()["schema"] == "unknown" and "9999" in late.json()["detail"]
        assert client.get("/healthz").status_code == 200  # alive, not ready


@pytest.fixture
def kit(tmp_path: Path) -> RegionKit:
    """Region folders under the test's folder."""
    return RegionKit(tmp_path / "regions")
