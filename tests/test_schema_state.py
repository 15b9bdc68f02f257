"""Where the schema stands: ``campagne db upgrade --check`` (exit 1 when migrations are
pending or the schema is a newer release's), the refusal to serve a newer release's
database, the web workers' refusal to start on a schema not migrated, and ``/readyz``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from campagne.app import create_app_from_env
from campagne.cli import main
from campagne.db import make_engine, upgrade
from campagne.migration_chain import Chain, ChainUnreadable, engine_chain, read_chain
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


def test_the_engine_chain_read_from_its_files_is_alembics() -> None:
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    from campagne.db import alembic_config

    script = ScriptDirectory.from_config(alembic_config(create_engine("sqlite://")))
    chain = engine_chain()
    assert chain.head == script.get_current_head()
    assert chain.revisions == {revision.revision for revision in script.walk_revisions()}


def test_a_web_worker_reads_the_schema_without_alembic(tmp_path: Path, kit: RegionKit) -> None:
    """Alembic weighs about 10 MB in each worker: only migrating imports it."""
    folder = kit.region("lot")
    database = f"sqlite:///{tmp_path / 'a.db'}"
    assert main(["db", "upgrade", "--db", database, str(folder)]) == 0
    probe = ("import sys\nfrom fastapi.testclient import TestClient\n"
             "from campagne.app import create_app_from_env\n"
             "with TestClient(create_app_from_env()) as client:\n"
             "    assert client.get('/readyz').json()['schema'] == 'current'\n"
             "    assert client.get('/lot/').status_code == 200\n"
             "print(sorted({name.split('.')[0] for name in sys.modules} & {'alembic', 'mako'}))\n")
    env = {**os.environ, "CAMPAGNE_DATABASE_URL": database, "CAMPAGNE_LOAD_ENTRY_POINTS": "false",
           "CAMPAGNE_REGION_DIRS": json.dumps([str(folder)])}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(("files", "problem"), [
    ({"a.py": "revision = 'a'\ndown_revision = None\n",
      "b.py": "revision = 'b'\ndown_revision = 'a'\n",
      "c.py": "revision = 'c'\ndown_revision = 'a'\n"}, "2 heads (b, c)"),
    ({"a.py": "revision = make_id()\ndown_revision = None\n"}, "'revision' is not a literal"),
    ({"a.py": "down_revision = None\n"}, "no literal 'revision'"),
])
def test_a_chain_that_cannot_be_read_is_named(tmp_path: Path, files: dict[str, str],
                                               problem: str) -> None:
    for name, body in files.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    with pytest.raises(ChainUnreadable, match=re.escape(problem)):
        read_chain(tmp_path)


def test_a_merge_has_one_head(tmp_path: Path) -> None:
    files = {"a.py": "revision = 'a'\ndown_revision = None\n",
             "b.py": "revision: str = 'b'\ndown_revision = 'a'\n",
             "c.py": "revision = 'c'\ndown_revision = 'a'\n",
             "d.py": "revision = 'd'\ndown_revision = ('b', 'c')\n"}
    for name, body in files.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    assert read_chain(tmp_path) == Chain(head="d", revisions=frozenset("abcd"))
