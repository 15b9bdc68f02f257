"""A network on one machine: two instances with one region each (``campagne demo
--region``), a hub harvesting them over real HTTP on loopback, then one instance stopped.
The hub keeps serving, marks it stale and keeps its last snapshot. The first harvest is
moved back one day, so that the trends show two days.

Nothing here races the clock: the stop of an instance is awaited (its port then refuses
connections at once), the harvest after it is run to its end by ``campagne hub harvest``,
timeouts are far above what a loaded machine needs, and waits only guard against a hang."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_kit import running
from sqlmodel import Session, select

from campagne.cli import main
from campagne.db import make_engine
from campagne.hub.models import HubSnapshot

WAIT_SECONDS = 120  # a guard against a hang: no test waits for it when all goes well


def _json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as answer:
        return json.loads(answer.read())


def _until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"the hub did not {what} in time")
        time.sleep(0.3)


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=60) as answer:
        return answer.status, answer.read()


def _statuses(hub: str) -> dict[str, str]:
    return {item["name"]: item["status"] for item in _json(f"{hub}/api/v1/network/instances")}


def _snapshots(database_url: str) -> int:
    engine = make_engine(database_url)
    with Session(engine) as session:
        count = len(session.exec(select(HubSnapshot)).all())
    engine.dispose()
    return count


def _back_date_snapshots(database_url: str, days: int) -> int:
    """Move every snapshot kept so far ``days`` back in time; the number moved."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        rows = session.exec(select(HubSnapshot)).all()
        for row in rows:
            row.harvested_at -= dt.timedelta(days=days)
            session.add(row)
        session.commit()
    engine.dispose()
    return len(rows)


def test_hub_harvests_two_instances_and_survives_one_stopping(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gers_args = ["demo", "--region", "gers", "--db", f"sqlite:///{tmp_path / 'gers.db'}"]
    orne_args = ["demo", "--region", "orne", "--db", f"sqlite:///{tmp_path / 'orne.db'}"]
    hub_db = f"sqlite:///{tmp_path / 'hub.db'}"
    with running(gers_args, tmp_path) as gers:
        orne_server = running(orne_args, tmp_path)
        orne = orne_server.__enter__()
        try:
            hub_yaml = tmp_path / "hub.yaml"
            hub_yaml.write_text(  # the served hub harvests once when it starts, then waits
                f"instances:\n  - name: Gers\n    url: {gers}\n  - name: Orne\n    url: {orne}\n"
                f"database_url: {hub_db}\n"
                "harvest_every_seconds: 3600\nstale_after_seconds: 7200\n"
                "timeout_seconds: 60\nrequest_deadline_seconds: 120\nretries: 1\n")
            assert main(["hub", "harvest", str(hub_yaml)]) == 0
            out = capsys.readouterr().out
            assert "Gers: ok" in out and "Orne: ok" in out
            assert _back_date_snapshots(hub_db, days=1) == 2
            with running(["hub", str(hub_yaml)], tmp_path) as hub:
                _until(lambda: _snapshots(hub_db) == 4, "harvest both instances on its own")
                assert set(_statuses(hub).values()) == {"ok"}
                compare = _json(f"{hub}/api/v1/network/compare")
                assert compare["regions"] == ["gers", "orne"]
                for index, (base, slug) in enumerate(((gers, "gers"), (orne, "orne"))):
                    published = _json(f"{base}/api/v1/regions/{slug}/stats")
                    assert compare["stats"][index]["indicators"] == published["indicators"]
                trends = _json(f"{hub}/api/v1/network/trends?indicator=members_total")
                assert [line["region"] for line in trends["series"]] == ["gers", "orne"]
                for line, stats in zip(trends["series"], compare["stats"], strict=True):
                    days = [dt.date.fromisoformat(p["date"]) for p in line["points"]]
                    assert len(days) == 2 and days[0] < days[1], "one point per day"
                    assert line["points"][-1]["value"] == \
                        stats["indicators"]["members_total"]["value"]
                orne_figures = compare["stats"][1]["indicators"]
                orne_server.__exit__(None, None, None)  # waits for the process to end
                orne_server = None
                assert main(["hub", "harvest", str(hub_yaml)]) == 1
                out = capsys.readouterr().out
                assert "Gers: ok" in out and "Orne: unreachable" in out
                assert _statuses(hub) == {"Gers": "ok", "Orne": "stale"}
                after = _json(f"{hub}/api/v1/network/compare")
                assert after["stats"][1]["indicators"] == orne_figures, "last snapshot kept"
                status, page = _get(f"{gers}/comparer?lang=en")
                assert status == 200 and b"Regions compared" in page
                status, page = _get(f"{hub}/comparer?lang=fr")
                assert status == 200 and "Orne" in page.decode()
        finally:
            if orne_server is not None:
                orne_server.__exit__(None, None, None)
