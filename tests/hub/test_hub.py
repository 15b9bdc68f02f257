"""The hub in process: its configuration (file:line errors), its own tables and
migrations, harvest outcomes (ok, invalid, unreachable, stale) and one harvest per due time."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hub_kit import demo_transport
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import inspect
from sqlmodel import Session, SQLModel, select

from campagne.cli import main
from campagne.db import make_engine, upgrade
from campagne.errors import ConfigInvalid
from campagne.hub.app import create_hub_app
from campagne.hub.config import load_hub_config
from campagne.hub.db import upgrade_hub
from campagne.hub.harvest import harvest
from campagne.hub.models import HubJobRun, HubSnapshot, hub_metadata
from campagne.hub.scheduler import take_due_harvest
from campagne.jobs.runner import finish_run

HUB_YAML = """instances:
  - name: CCI du Gers
    url: http://gers.test
  - name: Orne
    url: http://orne.test/
database_url: {db}
timeout_seconds: 1
retries: 1
"""


def _config(tmp_path: Path, database_url: str | None = None) -> Path:
    path = tmp_path / "hub.yaml"
    path.write_text(HUB_YAML.format(db=database_url or f"sqlite:///{tmp_path / 'hub.db'}"))
    return path


def test_config_errors_are_reported_at_their_line(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "hub.yaml"
    path.write_text("instances:\n  - name: Gers\n    url: ftp://nowhere\n    extra: 1\n")
    with pytest.raises(ConfigInvalid) as raised:
        load_hub_config(path)
    lines = sorted(error.line for error in raised.value.errors)
    assert lines == [3, 4]
    assert main(["hub", "harvest", str(path)]) == 2
    path.write_text("instances:\n  - {name: Gers, url: 'http://127.0.0.1:1'}\n"
                    "harvest_every_seconds: 60\nstale_after_seconds: 30\n")
    with pytest.raises(ConfigInvalid, match="stale_after_seconds"):
        load_hub_config(path)
    error = capsys.readouterr().err
    assert f"{path}:3:" in error and "Traceback" not in error


def test_hub_tables_never_mix_with_an_instance(tmp_path: Path) -> None:
    assert not set(hub_metadata.tables) & set(SQLModel.metadata.tables)
    engine = make_engine(f"sqlite:///{tmp_path / 'shared.db'}")
    upgrade(engine)
    upgrade_hub(engine)  # same database: separate tables and version tables
    tables = set(inspect(engine).get_table_names())
    assert {"hub_instance", "hub_snapshot", "hub_job_run", "hub_alembic_version",
            "alembic_version", "member"} <= tables


def test_harvest_outcomes_and_statuses(tmp_path: Path, demo_client: TestClient,
                                       database_url: str) -> None:
    config = load_hub_config(_config(tmp_path, database_url))
    engine = make_engine(config.database_url)
    upgrade_hub(engine)
    results = harvest(engine, config, transport=demo_transport(demo_client))
    assert [(r.instance, r.outcome, r.regions) for r in results] == [
        ("CCI du Gers", "ok", ["gers"]), ("Orne", "ok", ["orne"])]
    with TestClient(create_hub_app(config, engine, schedule=False)) as hub:
        statuses = {i["name"]: i["status"] for i in hub.get("/api/v1/network/instances").json()}
        assert statuses == {"CCI du Gers": "ok", "Orne": "ok"}
        harvest(engine, config, transport=demo_transport(demo_client, broken="invalid"))
        orne = hub.get("/api/v1/network/instances").json()[1]
        assert orne["status"] == "invalid" and "schema" in orne["error"]
        harvest(engine, config, transport=demo_transport(demo_client, broken="down"))
        orne = hub.get("/api/v1/network/instances").json()[1]
        assert orne["status"] == "stale", "down, but its last snapshot is kept"
        compare = hub.get("/api/v1/network/compare").json()
        assert compare["regions"] == ["gers", "orne"]
        assert compare["stats"][1]["indicators"] == demo_client.get(
            "/api/v1/regions/orne/stats").json()["indicators"]
        page = hub.get("/comparer?lang=en")
        assert page.status_code == 200 and "Orne" in page.text and "style=" not in page.text
        assert "withheld" in page.text
        assert hub.get("/?lang=en").status_code == 200
    engine.dispose()


def test_an_instance_never_reached_is_unreachable(tmp_path: Path,
                                                  demo_client: TestClient) -> None:
    config = load_hub_config(_config(tmp_path))
    engine = make_engine(config.database_url)
    upgrade_hub(engine)
    results = harvest(engine, config, transport=demo_transport(demo_client, broken="down"))
    assert results[1].outcome == "unreachable"
    with TestClient(create_hub_app(config, engine, schedule=False)) as hub:
        orne = hub.get("/api/v1/network/instances").json()[1]
        assert orne["status"] == "unreachable" and orne["last_harvest_at"] is None
        assert hub.get("/metrics").status_code == 404  # the test client is no address
    with TestClient(create_hub_app(config, engine, schedule=False),
                    client=("127.0.0.1", 40000)) as local:
        scraped = {(s.name, tuple(sorted(s.labels.items()))): s.value
                   for family in text_string_to_metric_families(local.get("/metrics").text)
                   for s in family.samples}
    outcome = "campagne_hub_instance_last_outcome"
    assert scraped[(outcome, (("instance", "Orne"), ("outcome", "unreachable")))] == 1
    assert scraped[(outcome, (("instance", "Orne"), ("outcome", "ok")))] == 0
    assert scraped[(outcome, (("instance", "CCI du Gers"), ("outcome", "ok")))] == 1
    assert ("campagne_hub_instance_last_success_timestamp_seconds",
            (("instance", "CCI du Gers"),)) in scraped
    assert ("campagne_hub_harvest_runs", (("state", "done"),)) in scraped


def test_one_harvest_per_due_time_whatever_the_processes(tmp_path: Path,
                                                         database_url: str) -> None:
    config = load_hub_config(_config(tmp_path))  # every 3600 s
    engine = make_engine(database_url)
    upgrade_hub(engine)
    now = dt.datetime(2026, 1, 1, 10, 20, tzinfo=dt.UTC)
    slot = take_due_harvest(engine, config, "process-1", now)
    assert slot == dt.datetime(2026, 1, 1, 10, 0, tzinfo=dt.UTC)
    assert take_due_harvest(engine, config, "process-2", now) is None, "same due time"
    later = now + dt.timedelta(hours=1)
    assert take_due_harvest(engine, config, "process-2", later) is None, "one still running"
    finish_run(engine, HubJobRun, "hub.harvest", slot, "done", "gers: ok")
    assert take_due_harvest(engine, config, "process-2", later) == slot + dt.timedelta(hours=1)
    engine.dispose()


def test_snapshots_keep_no_personal_data(tmp_path: Path, demo_client: TestClient) -> None:
    config = load_hub_config(_config(tmp_path))
    engine = make_engine(config.database_url)
    upgrade_hub(engine)
    harvest(engine, config, transport=demo_transport(demo_client))
    with Session(engine) as session:
        text = json.dumps([row.payload for row in session.exec(select(HubSnapshot)).all()])
    assert "@example.org" not in text and "first_name" not in text
