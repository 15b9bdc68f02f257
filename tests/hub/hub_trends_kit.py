"""A hub database holding snapshots of several days, for the tests of the trends: a
suppressed figure, an instance whose harvest failed one day, a snapshot of a later schema."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from campagne.db import make_engine
from campagne.hub.app import create_hub_app
from campagne.hub.config import HubConfig
from campagne.hub.db import upgrade_hub
from campagne.hub.models import HubInstance, HubSnapshot
from campagne.hub.trends import snapshot_figures
from campagne.stats.schema import StatsV1
from campagne.testing import served

TODAY = dt.datetime.now(dt.UTC).date()
DAYS = [TODAY - dt.timedelta(days=n) for n in (3, 2, 1, 0)]


def stats_payload(slug: str, name: str, members: int | None, day: dt.date,
                  occupancy: float | None = 0.5) -> dict[str, Any]:
    """Valid statistics of schema version 1 (``members`` None: suppressed)."""
    count = {"value": members, "available": True, "suppressed": members is None}
    payload = {
        "region": {"slug": slug, "code": "32" if slug == "gers" else "61", "name": name},
        "period": {"start": None, "end": day.isoformat()},
        "generated_at": f"{day.isoformat()}T05:00:00Z",
        "licence": {"name": "Licence Ouverte / Open Licence 2.0",
                    "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"},
        "disclosure": {"threshold": 11, "rule": "primary and secondary", "source": "test"},
        "population": None,
        "indicators": {
            "members_total": count,
            "members_per_100k_inhabitants": {
                "value": None if members is None else round(members / 1.9, 1),
                "unit": "per_100k_inhabitants", "suppressed": members is None},
            "arrivals_by_year": {"total": None, "cells": []},
            "members_by_sector": {"total": None, "cells": []},
            "members_by_origin": {"total": None, "cells": []},
            "services_used": {"total": None, "cells": []},
            "meetup_attendance": {"value": None, "available": False},
            "retention": [{"years": 1, "share": 0.8}, {"years": 2, "share": None,
                                                       "suppressed": True}],
            "inquiries_received": {"value": None, "available": False},
            "inquiries_converted": {"value": None, "available": False},
            "median_days_inquiry_to_settlement": {"value": None, "unit": "days",
                                                  "available": False},
            "desk_occupancy": {"value": occupancy, "unit": "share"},
        },
    }
    return StatsV1.model_validate(payload).model_dump(mode="json")


def at(day: dt.date, hour: int) -> dt.datetime:
    """A moment of ``day`` (UTC)."""
    return dt.datetime.combine(day, dt.time(hour), dt.UTC)


@contextmanager
def frozen_clock() -> Iterator[None]:
    """The hub's clock stopped at noon of ``TODAY`` (UTC), so that a run crossing midnight
    reads the same days as the seed wrote."""
    noon = at(TODAY, 12)
    with pytest.MonkeyPatch.context() as patch:
        for module in ("campagne.hub.trend_routes", "campagne.hub.trends", "campagne.hub.app"):
            patch.setattr(f"{module}.utc_now", lambda: noon)
        yield


def seed(engine: Engine) -> None:
    """Gers every day (two harvests on the first, suppressed on the third); Orne missing
    on the second day (its harvest failed) and of schema version "2" on the last; Lot never
    harvested; one Gers snapshot older than the window."""
    upgrade_hub(engine)
    snapshots = [
        ("Gers", at(DAYS[0], 8), stats_payload("gers", "Gers", 120, DAYS[0])),
        ("Gers", at(DAYS[0], 20), stats_payload("gers", "Gers", 125, DAYS[0])),
        ("Gers", at(DAYS[1], 8), stats_payload("gers", "Gers", 130, DAYS[1])),
        ("Gers", at(DAYS[2], 8), stats_payload("gers", "Gers", None, DAYS[2])),
        ("Gers", at(DAYS[3], 1), stats_payload("gers", "Gers", 140, DAYS[3], 0.625)),
        ("Gers", at(TODAY - dt.timedelta(days=400), 8),
         stats_payload("gers", "Gers", 20, TODAY - dt.timedelta(days=400))),
        ("Orne", at(DAYS[0], 9), stats_payload("orne", "Orne", 60, DAYS[0])),
        ("Orne", at(DAYS[2], 9), stats_payload("orne", "Orne", 64, DAYS[2])),
    ]
    later = copy.deepcopy(stats_payload("orne", "Orne", 66, DAYS[3]))
    later["schema_version"] = "2"
    later["indicators"]["desks_total"] = {"value": 12, "unit": "desks"}
    del later["indicators"]["desk_occupancy"]
    later["indicators"]["inquiries_received"] = {"value": 30, "suppressed": True}
    snapshots.append(("Orne", at(DAYS[3], 0), later))
    with Session(engine) as session:
        session.add(HubInstance(name="Gers", url="http://gers.test", last_outcome="ok",
                                last_attempt_at=at(DAYS[3], 1), last_success_at=at(DAYS[3], 1)))
        session.add(HubInstance(name="Orne", url="http://orne.test", last_outcome="ok",
                                last_attempt_at=at(DAYS[3], 0), last_success_at=at(DAYS[3], 0)))
        session.flush()
        for instance, moment, payload in snapshots:  # Orne's kept before figures existed
            session.add(HubSnapshot(
                instance_name=instance, region_slug=payload["region"]["slug"],
                harvested_at=moment, payload=payload,
                figures=snapshot_figures(payload) if instance == "Gers" else None))
        session.commit()


def hub_config(database_url: str) -> HubConfig:
    """Three instances, one of them never harvested."""
    return HubConfig.model_validate({"database_url": database_url, "instances": [
        {"name": "Gers", "url": "http://gers.test"}, {"name": "Orne", "url": "http://orne.test"},
        {"name": "Lot", "url": "http://lot.test"}]})


@contextmanager
def served_seeded_hub(folder: Path, name: str) -> Iterator[str]:
    """A hub seeded by :func:`seed` (SQLite in ``folder``) behind a real HTTP server on a free
    loopback port, its clock stopped (:func:`frozen_clock`); its base address."""
    url = f"sqlite:///{folder / 'hub.db'}"
    engine = make_engine(url)
    seed(engine)
    try:
        app = create_hub_app(hub_config(url), engine, schedule=False)
        with frozen_clock(), served(app, name) as base:
            yield base
    finally:
        engine.dispose()
