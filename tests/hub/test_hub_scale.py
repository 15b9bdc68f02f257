"""The harvest of many instances: hanging ones keep no other instance waiting with the
default settings, each outcome is stored as soon as it is known (several together when
they come together, one at a time when the database refuses one of them), and a
cancelled harvest leaves nothing running. Hanging instances are released by events, never
by waiting for a time: no test here depends on the machine's speed."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from hub_kit import bounded, counted, good_stats, hang, instances, json_answer, serves
from pydantic import ValidationError
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from campagne.db import make_engine
from campagne.hub.config import HubConfig
from campagne.hub.db import upgrade_hub
from campagne.hub.harvest import HarvestResult, harvest, harvest_async, store_outcomes
from campagne.hub.models import HubInstance, HubSnapshot
from campagne.stats.schema import StatsV1


def config_for(urls: list[str], database_url: str, **settings: Any) -> HubConfig:
    """A hub harvesting ``urls``, named member-0, member-1..., with ``settings``."""
    return HubConfig.model_validate({
        "instances": [{"name": f"member-{n}", "url": url} for n, url in enumerate(urls)],
        "database_url": database_url, **settings})


def hub_engine(database_url: str) -> Engine:
    engine = make_engine(database_url)
    upgrade_hub(engine)
    return engine


def run_harvest(config: HubConfig) -> list[tuple[str, str, str | None]]:
    engine = hub_engine(config.database_url)
    try:
        results = bounded(lambda: harvest(engine, config))
    finally:
        engine.dispose()
    return [(r.instance, r.outcome, r.error) for r in results]


def refuse_snapshots_of(engine: Engine, name: str) -> None:
    """A trigger: the database refuses every snapshot of instance ``name``."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text(
                f"CREATE TRIGGER refuse_snapshot BEFORE INSERT ON hub_snapshot "
                f"WHEN NEW.instance_name = '{name}' BEGIN SELECT RAISE(ABORT, 'refused'); END"))
        else:
            connection.execute(text(
                f"CREATE FUNCTION refuse_snapshot() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN IF NEW.instance_name = '{name}' THEN RAISE EXCEPTION 'refused'; "
                f"END IF; RETURN NEW; END $$"))
            connection.execute(text(
                "CREATE TRIGGER refuse_snapshot BEFORE INSERT ON hub_snapshot "
                "FOR EACH ROW EXECUTE FUNCTION refuse_snapshot()"))


def test_the_defaults_harvest_many_instances_at_once() -> None:
    config = config_for(["http://127.0.0.1:1"], "sqlite://")
    assert config.parallel_instances == 32
    assert config_for(["http://127.0.0.1:1"], "sqlite://",
                      parallel_instances=128).parallel_instances == 128
    with pytest.raises(ValidationError, match="parallel_instances"):
        config_for(["http://127.0.0.1:1"], "sqlite://", parallel_instances=129)


def test_hanging_instances_listed_first_keep_no_other_waiting(database_url: str) -> None:
    # The hanging instances answer nothing until every healthy one has been asked for its
    # statistics: were the healthy ones waiting behind them, the harvest would hang.
    asked, count, lock = threading.Event(), [0], threading.Lock()
    slugs = ["gers", "orne", "lot"]
    healthy = [{**serves(slug), f"/api/v1/regions/{slug}/stats": counted(
        json_answer(good_stats(slug)), count, lock, len(slugs), asked)} for slug in slugs]
    hanging = [{"/api/v1/regions": hang(until=asked)} for _ in range(5)]
    with instances(*hanging, *healthy) as urls:
        # No timeout, deadline or retry ends a hanging request before the release does.
        config = config_for(urls, database_url, timeout_seconds=120,
                            request_deadline_seconds=600, retries=0)
        outcomes = run_harvest(config)
    assert [outcome for _, outcome, _ in outcomes] == ["unreachable"] * 5 + ["ok"] * 3


def test_an_instance_that_never_answers_says_which_setting_gave_up(database_url: str) -> None:
    with instances({"/api/v1/regions": hang()}) as urls:
        config = config_for(urls, database_url, timeout_seconds=0.2, retries=1)
        [(_name, outcome, error)] = run_harvest(config)
    assert outcome == "unreachable"
    assert error is not None and urls[0] in error
    # A stalled loop may make it a ConnectTimeout rather than a ReadTimeout.
    assert "Timeout" in error and "timeout_seconds" in error and "tried 2 times" in error


def test_outcomes_the_database_refuses_are_stored_one_at_a_time(database_url: str) -> None:
    engine = hub_engine(database_url)
    refuse_snapshots_of(engine, "member-1")
    config = config_for(["http://a.test", "http://b.test", "http://c.test"], database_url)
    stats = StatsV1.model_validate(good_stats("gers"))
    kept = store_outcomes(engine, [(HarvestResult(member.name, "ok", ["gers"], 0.1), member,
                                    [stats]) for member in config.instances])
    assert [(r.instance, r.outcome, r.error) for r in kept] == [
        ("member-0", "ok", None), ("member-1", "invalid", "its statistics could not be stored"),
        ("member-2", "ok", None)]
    with Session(engine) as session:
        snapshots = sorted(s.instance_name for s in session.exec(select(HubSnapshot)))
        rows = {row.name: row.last_outcome for row in session.exec(select(HubInstance))}
    engine.dispose()
    assert snapshots == ["member-0", "member-2"]
    assert rows == {"member-0": "ok", "member-1": "invalid", "member-2": "ok"}


def test_a_harvest_keeps_the_outcomes_the_database_accepts(database_url: str) -> None:
    engine = hub_engine(database_url)
    refuse_snapshots_of(engine, "member-1")
    engine.dispose()
    with instances(serves("gers"), serves("orne"), serves("lot")) as urls:
        outcomes = run_harvest(config_for(urls, database_url))
    assert outcomes == [("member-0", "ok", None),
                        ("member-1", "invalid", "its statistics could not be stored"),
                        ("member-2", "ok", None)]


def test_a_cancelled_harvest_stops_at_once_with_the_outcomes_known_kept(
        database_url: str) -> None:
    asked = threading.Event()
    forever = hang()

    def hanging(handler: Any, stop: threading.Event) -> None:
        asked.set()
        forever(handler, stop)

    with instances({"/api/v1/regions": hanging}, serves("orne")) as urls:
        config = config_for(urls, database_url, timeout_seconds=120,
                            request_deadline_seconds=600)
        engine = hub_engine(database_url)

        def stored(name: str) -> bool:
            with Session(engine) as session:
                return session.get(HubInstance, name) is not None

        async def cancel_midway() -> list[asyncio.Task[Any]]:
            task = asyncio.create_task(harvest_async(engine, config))
            # The healthy instance's outcome is stored while the other one still hangs.
            while not (asked.is_set() and await asyncio.to_thread(stored, "member-1")):
                await asyncio.sleep(0.02)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]

        left = bounded(lambda: asyncio.run(cancel_midway()))
        with Session(engine) as session:
            row = session.get(HubInstance, "member-1")
            assert row is not None and row.last_outcome == "ok"
            assert session.get(HubInstance, "member-0") is None
        engine.dispose()
    assert left == [], "nothing of the harvest is left running"
