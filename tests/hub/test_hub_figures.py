"""Figures that break the schema: an instance sending them is ``invalid`` and its last
good snapshot is kept; the published JSON Schema refuses them too; and a bad figure kept
before they were refused never turns the comparison into an error nor republishes a
suppressed value."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient
from hub_kit import bounded, changed, good_stats, hub_config, instances, json_answer, serves
from sqlmodel import Session

from campagne.db import make_engine
from campagne.hub.app import create_hub_app
from campagne.hub.db import upgrade_hub
from campagne.hub.harvest import harvest
from campagne.hub.models import HubInstance, HubSnapshot
from campagne.models import utc_now
from campagne.stats.schema import StatsV1, json_schema

GOOD = good_stats("gers", members=120)
SECRET = 7  # a suppressed figure's value: it must never come out again


def _raw(document: dict[str, Any], path: str, literal: str) -> bytes:
    """``document`` as JSON text with the number at ``path`` written as ``literal``."""
    marker = 987654321
    return json.dumps(changed(document, path, marker)).replace(str(marker), literal).encode()


HOSTILE: dict[str, tuple[dict[str, Any] | None, bytes | None]] = {
    "a negative count": (changed(GOOD, "indicators.members_total.value", -5), None),
    "a negative cell": (changed(GOOD, "indicators.members_by_sector.cells.0.value", -1), None),
    "a negative total": (changed(GOOD, "indicators.members_by_origin.total", -120), None),
    "a share above 1": (changed(GOOD, "indicators.desk_occupancy.value", 1.5), None),
    "a negative measure": (changed(
        GOOD, "indicators.median_days_inquiry_to_settlement.value", -3.0), None),
    "a retention share above 1": (changed(GOOD, "indicators.retention.0.share", 1.2), None),
    "NaN": (None, _raw(GOOD, "indicators.desk_occupancy.value", "NaN")),
    "Infinity": (None, _raw(GOOD, "indicators.median_days_inquiry_to_settlement.value",
                            "Infinity")),
    "1e400": (None, _raw(GOOD, "indicators.median_days_inquiry_to_settlement.value",
                         "1e400")),
    "10^400 as an integer": (None, _raw(GOOD, "indicators.members_total.value",
                                        "1" + "0" * 400)),
    "a suppressed count with its value": (changed(
        GOOD, "indicators.meetup_attendance.value", SECRET), None),
    "a suppressed cell with its value": (changed(
        GOOD, "indicators.members_by_sector.cells.1.value", SECRET), None),
    "a suppressed share with its value": (changed(
        GOOD, "indicators.retention.1.share", 0.7), None),
    "a region name of 100 kB": (changed(GOOD, "region.name", "G" * 100_000), None),
    "a cell key of 10 kB": (changed(
        GOOD, "indicators.members_by_sector.cells.0.key", "k" * 10_000), None),
    "10,000 cells": (changed(GOOD, "indicators.services_used.cells", [
        {"key": f"c{i}", "value": 0} for i in range(10_000)]), None),
    "statistics of another region": (changed(GOOD, "region.slug", "orne"), None),
    "a plug-in's count of people below zero": (changed(GOOD, "extra", [
        {"key": "partner_villages", "label": {"fr": "Villages"}, "value": -3}]), None),
    "a plug-in's share above 1": (changed(GOOD, "extra", [
        {"key": "reach", "label": {"fr": "Part"}, "value": 4.2, "unit": "share",
         "counts_people": False}]), None),
}


@pytest.mark.parametrize("document,raw", HOSTILE.values(), ids=HOSTILE.keys())
def test_figures_that_break_the_schema_are_invalid(database_url: str,
                                                   document: dict[str, Any] | None,
                                                   raw: bytes | None) -> None:
    good = serves("gers")
    hostile = {**good, "/api/v1/regions/gers/stats": json_answer(document, raw=raw)}
    with instances(good) as urls:
        config = hub_config(urls, database_url)
        engine = make_engine(database_url)
        upgrade_hub(engine)
        assert bounded(lambda: harvest(engine, config))[0].outcome == "ok"
    with instances(hostile, serves("orne")) as urls:
        config = hub_config(urls, database_url)  # same names: 'first' is the same instance
        results = bounded(lambda: harvest(engine, config))
    assert [(r.outcome, r.instance) for r in results] == [("invalid", "first"), ("ok", "second")]
    assert "gers" in (results[0].error or "")
    with TestClient(create_hub_app(config, engine, schedule=False)) as hub:
        first = hub.get("/api/v1/network/instances").json()[0]
        assert first["status"] == "invalid" and first["regions"] == ["gers"]
        compare = hub.get("/api/v1/network/compare").json()
        assert compare["regions"] == ["gers", "orne"], "its last good snapshot is kept"
        assert compare["stats"][0]["indicators"] == StatsV1.model_validate(GOOD).model_dump(
            mode="json")["indicators"]
    engine.dispose()


@pytest.mark.parametrize("document,raw", HOSTILE.values(), ids=HOSTILE.keys())
def test_the_published_json_schema_refuses_them_too(document: dict[str, Any] | None,
                                                    raw: bytes | None) -> None:
    validator = jsonschema.Draft202012Validator(json_schema())
    assert validator.is_valid(GOOD)
    if raw is not None:
        assert not _strict_json(raw), "not JSON: no schema is needed to refuse it"
        return
    assert document is not None
    if document["region"]["slug"] != "gers":
        return  # valid statistics, of a region other than the one asked for
    assert not validator.is_valid(document)


def _strict_json(raw: bytes) -> bool:
    def refuse(name: str) -> Any:
        raise ValueError(name)

    try:
        value = json.loads(raw, parse_constant=refuse)
    except ValueError:
        return False
    return all(abs(number) <= 2**53 for number in _numbers(value))


def _numbers(value: Any) -> list[float]:
    if isinstance(value, dict):
        return [n for item in value.values() for n in _numbers(item)]
    if isinstance(value, list):
        return [n for item in value for n in _numbers(item)]
    return [value] if isinstance(value, int | float) and not isinstance(value, bool) else []


def _keep(engine: Any, slug: str, payload: dict[str, Any],
          figures: dict[str, Any] | None = None) -> None:
    """A snapshot kept as it is, as an earlier version of the hub could have kept it."""
    with Session(engine) as session:
        if session.get(HubInstance, "first") is None:
            session.add(HubInstance(name="first", url="http://first.test", last_outcome="ok",
                                    last_attempt_at=utc_now(), last_success_at=utc_now()))
            session.flush()
        session.add(HubSnapshot(instance_name="first", region_slug=slug, payload=payload,
                                figures=figures))
        session.commit()


def test_bad_figures_kept_before_never_break_the_pages(database_url: str) -> None:
    config = hub_config(["http://first.test"], database_url)
    engine = make_engine(database_url)
    upgrade_hub(engine)
    withheld = changed(changed(good_stats("gers"), "indicators.meetup_attendance.value",
                               SECRET), "indicators.retention.1.share", 0.77)
    _keep(engine, "gers", withheld)
    _keep(engine, "orne", changed(good_stats("orne"), "indicators.members_total.value",
                                  10**400))
    _keep(engine, "lot", changed(good_stats("lot"), "indicators.desk_occupancy.value", -2))
    out_of_bounds = float("nan") if database_url.startswith("sqlite") else 10**400
    _keep(engine, "gers", withheld, figures={"version": 1, "indicators": {  # read once
        "meetup_attendance": {"value": SECRET, "suppressed": True, "unit": "people"},
        "desk_occupancy": {"value": out_of_bounds, "suppressed": False, "unit": "share"}}})
    if database_url.startswith("sqlite"):  # PostgreSQL's json type refuses NaN itself
        _keep(engine, "tarn", changed(good_stats("tarn"), "indicators.desk_occupancy.value",
                                      float("nan")))
    with TestClient(create_hub_app(config, engine, schedule=False)) as hub:
        for path in ("/comparer?lang=en", "/compare", "/api/v1/network/compare",
                     "/api/v1/network/compare?format=csv", "/tendances",
                     "/api/v1/network/trends", "/api/v1/network/trends?format=csv"):
            answer = hub.get(path)
            assert answer.status_code == 200, path
        compare = hub.get("/api/v1/network/compare").json()
        assert compare["regions"] == ["gers"], "the ones out of bounds are left out"
        indicators = compare["stats"][0]["indicators"]
        assert indicators["meetup_attendance"] == {"value": None, "available": True,
                                                   "suppressed": True}
        assert indicators["retention"][1]["share"] is None
        csv = hub.get("/api/v1/network/compare?format=csv").text
        assert "0.77" not in csv
        trends = hub.get("/api/v1/network/trends?indicator=meetup_attendance").json()
        points = [point for line in trends["series"] for point in line["points"]]
        assert points and all(point["value"] is None for point in points)
        trends = hub.get("/api/v1/network/trends?indicator=desk_occupancy").json()
        assert [p["value"] for line in trends["series"] for p in line["points"]] == [0.42]
    engine.dispose()
