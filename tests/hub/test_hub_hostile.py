"""Hostile member instances, on loopback: whatever one sends (a slug no address can hold,
an answer that never ends, a huge or compressed one, figures that break the schema), it
ends as that instance's ``invalid`` or ``unreachable``; the others are still harvested,
and its last good snapshot is kept."""

from __future__ import annotations

import asyncio
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hub_kit import (
    Answer,
    bounded,
    closed_port,
    good_stats,
    hub_config,
    huge,
    instances,
    json_answer,
    serves,
    trickle,
)
from sqlmodel import Session, select

from campagne.db import make_engine
from campagne.errors import ConfigInvalid
from campagne.hub.app import create_hub_app
from campagne.hub.config import HubConfig, load_hub_config
from campagne.hub.db import upgrade_hub
from campagne.hub.harvest import harvest
from campagne.hub.models import HubSnapshot
from campagne.hub.scheduler import harvest_forever


@pytest.mark.parametrize("entry", [
    '{name: "Ge\\0rs", url: "http://127.0.0.1:1"}',
    '{name: Gers, url: "http://127.0.0.1:1/a\\0b"}',
    '{name: Gers, url: "http://[::1"}',
])
def test_hub_yaml_refuses_names_and_addresses_no_request_can_use(tmp_path: Path,
                                                                entry: str) -> None:
    path = tmp_path / "hub.yaml"
    path.write_text(f"instances:\n  - {entry}\n")
    with pytest.raises(ConfigInvalid) as raised:
        load_hub_config(path)
    assert [error.line for error in raised.value.errors] == [2]


def _harvest(config: HubConfig) -> list[tuple[str, str, str | None]]:
    engine = make_engine(config.database_url)
    upgrade_hub(engine)
    try:
        results = bounded(lambda: harvest(engine, config))
    finally:
        engine.dispose()
    return [(r.instance, r.outcome, r.error) for r in results]


def _statuses(config: HubConfig) -> dict[str, dict[str, Any]]:
    engine = make_engine(config.database_url)
    with TestClient(create_hub_app(config, engine, schedule=False)) as hub:
        found = {item["name"]: item for item in hub.get("/api/v1/network/instances").json()}
    engine.dispose()
    return found


LISTINGS: dict[str, Any] = {
    "a slug with a NUL byte": [{"slug": "gers\u0000"}],
    "a slug of 70 kB": [{"slug": "g" * 70_000}],
    "a lone surrogate": [{"slug": "gers\ud800"}],
    "a slug that leaves the path": [{"slug": "../../admin"}],
    "not a list": {"regions": ["gers"]},
    "not objects": ["gers", "orne"],
    "a slug that is not text": [{"slug": 32}],
    "too many regions": [{"slug": f"r{i:03d}"} for i in range(201)],
    "a region listed twice": [{"slug": "gers"}, {"slug": "gers"}],
}


@pytest.mark.parametrize("listing", LISTINGS.values(), ids=LISTINGS.keys())
def test_a_hostile_listing_stops_only_its_instance(database_url: str, listing: Any) -> None:
    routes = {"/api/v1/regions": json_answer(listing)}
    with instances(routes, serves("orne")) as urls:
        config = hub_config(urls, database_url, parallel_instances=1)
        outcomes = _harvest(config)
        assert [(name, outcome) for name, outcome, _ in outcomes] == [
            ("first", "invalid"), ("second", "ok")]
        assert "regions" in (outcomes[0][2] or "")
        again = _harvest(config)
        assert [outcome for _, outcome, _ in again] == ["invalid", "ok"], "a later round"
    statuses = _statuses(config)
    assert statuses["first"]["status"] == "invalid" and "\x00" not in statuses["first"]["error"]
    assert statuses["second"]["status"] == "ok"


def test_later_rounds_of_the_schedule_keep_harvesting(database_url: str) -> None:
    routes = {"/api/v1/regions": json_answer([{"slug": "gers\u0000"}])}
    with instances(routes, serves("orne")) as urls:
        config = hub_config(urls, database_url, parallel_instances=1,
                            harvest_every_seconds=1, stale_after_seconds=60)
        engine = make_engine(config.database_url)
        upgrade_hub(engine)

        def snapshots() -> int:
            with Session(engine) as session:
                return len(session.exec(select(HubSnapshot)).all())

        async def two_rounds() -> None:
            stop = asyncio.Event()
            task = asyncio.create_task(harvest_forever(engine, config, stop))
            while await asyncio.to_thread(snapshots) < 2:  # one per round of 'second'
                await asyncio.sleep(0.05)
            stop.set()
            await task

        bounded(lambda: asyncio.run(two_rounds()))
        engine.dispose()
    assert _statuses(config)["first"]["status"] == "invalid"


@pytest.mark.parametrize("hostile", [
    pytest.param({"/api/v1/regions": trickle()}, id="listing trickles"),
    pytest.param({"/api/v1/regions": trickle(headers_too=True)}, id="headers trickle"),
    pytest.param({**serves("gers"), "/api/v1/regions/gers/stats": trickle()},
                 id="statistics trickle"),
])
def test_an_answer_that_never_ends_meets_its_deadline(database_url: str,
                                                      hostile: dict[str, Answer]) -> None:
    with instances(hostile, serves("orne")) as urls:
        # Reads never wait long enough for timeout_seconds: only the deadline can end it.
        config = hub_config(urls, database_url, timeout_seconds=60,
                            request_deadline_seconds=10)
        outcomes = _harvest(config)
    assert [(name, outcome) for name, outcome, _ in outcomes] == [
        ("first", "unreachable"), ("second", "ok")]
    assert "request_deadline_seconds" in (outcomes[0][2] or "")


def test_a_harvest_meets_its_own_deadline(database_url: str) -> None:
    slow = {**serves("gers"), "/api/v1/regions/gers/stats": trickle()}
    with instances(serves("orne"), slow) as urls:
        config = hub_config(urls, database_url, timeout_seconds=60,
                            request_deadline_seconds=600, harvest_deadline_seconds=1,
                            parallel_instances=1)
        outcomes = _harvest(config)
    assert outcomes[1][:2] == ("second", "unreachable")
    assert "harvest_deadline_seconds" in (outcomes[1][2] or "")
    assert _statuses(config)["second"]["status"] == "unreachable"


@pytest.mark.parametrize("answer", [
    pytest.param(huge(50), id="sent as it goes"),
    pytest.param(huge(50, declared=True), id="length declared"),
    pytest.param(huge(50, compressed=True), id="gzip bomb"),
])
def test_an_answer_past_the_size_cap_is_invalid(database_url: str, answer: Answer) -> None:
    with instances({"/api/v1/regions": answer}, serves("orne")) as urls:
        config = hub_config(urls, database_url, max_answer_bytes=1_000_000)
        tracemalloc.start()
        try:
            outcomes = _harvest(config)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert [(name, outcome) for name, outcome, _ in outcomes] == [
        ("first", "invalid"), ("second", "ok")]
    assert "max_answer_bytes" in (outcomes[0][2] or "")
    assert peak < 20_000_000, f"{peak / 1e6:.0f} MB held for an answer of 50 MB"


def test_a_stopped_instance_is_unreachable_at_once(database_url: str) -> None:
    with closed_port() as stopped, instances(serves("orne")) as alive:
        config = hub_config([stopped, *alive], database_url, retries=2)
        outcomes = _harvest(config)
    assert [(name, outcome) for name, outcome, _ in outcomes] == [
        ("first", "unreachable"), ("second", "ok")]


def test_good_statistics_are_kept(database_url: str) -> None:
    with instances(serves("gers")) as urls:
        config = hub_config(urls, database_url)
        assert _harvest(config) == [("first", "ok", None)]
    engine = make_engine(database_url)
    with Session(engine) as session:
        [row] = session.exec(select(HubSnapshot)).all()
    engine.dispose()
    assert row.payload["indicators"]["members_total"]["value"] == good_stats("gers")[
        "indicators"]["members_total"]["value"]
