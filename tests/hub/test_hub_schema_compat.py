"""The hub still validates what instances publish now that inquiries, meetups, desks and
milestones are counted: documents of this version, of an older instance (without the new
indicators) and of a newer one (with an indicator it does not know) are all schema 1."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from campagne.db import make_engine
from campagne.hub.app import create_hub_app
from campagne.hub.config import load_hub_config
from campagne.hub.db import upgrade_hub
from campagne.hub.harvest import harvest
from campagne.stats.schema import StatsV1

ADDED = ("meetups_held", "meetup_attendance_rate", "milestones_reached")
HUB_YAML = """instances:
  - name: Today
    url: http://today.test
  - name: Older
    url: http://older.test
  - name: Newer
    url: http://newer.test
database_url: sqlite:///{db}
timeout_seconds: 1
retries: 0
"""


def _documents(demo_client: TestClient) -> dict[str, dict[str, Any]]:
    today = demo_client.get("/api/v1/regions/gers/stats").json()
    older = copy.deepcopy(demo_client.get("/api/v1/regions/orne/stats").json())
    for name in ADDED:
        del older["indicators"][name]
    newer = copy.deepcopy(today)
    newer["region"] = {**newer["region"], "slug": "gers-bis"}
    newer["indicators"]["coworking_visits"] = {"value": 1200, "unit": "visits"}
    return {"today.test": today, "older.test": older, "newer.test": newer}


def _transport(documents: dict[str, dict[str, Any]]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        document = documents[request.url.host]
        if request.url.path == "/api/v1/regions":
            return httpx.Response(200, json=[{"slug": document["region"]["slug"]}])
        return httpx.Response(200, json=document)

    return httpx.MockTransport(answer)


def test_documents_of_older_and_newer_instances_validate(demo_client: TestClient) -> None:
    documents = _documents(demo_client)
    today = StatsV1.model_validate(documents["today.test"])
    assert today.indicators.meetups_held.available
    older = StatsV1.model_validate(documents["older.test"])
    assert older.indicators.meetups_held.available is False, "a default, not an error"
    assert older.indicators.milestones_reached.cells == []
    newer = StatsV1.model_validate(documents["newer.test"])
    assert "coworking_visits" not in newer.indicators.model_dump()
    broken = copy.deepcopy(documents["today.test"])
    broken["indicators"]["meetups_held"] = {"value": "many"}
    assert not _valid(broken)
    broken = copy.deepcopy(documents["today.test"])
    broken["licence"]["extra"] = "refused"  # outside the indicators, unknown keys still fail
    assert not _valid(broken)


def _valid(document: dict[str, Any]) -> bool:
    try:
        StatsV1.model_validate(document)
    except ValueError:
        return False
    return True


def test_hub_harvests_and_compares_them(tmp_path: Path, demo_client: TestClient) -> None:
    path = tmp_path / "hub.yaml"
    path.write_text(HUB_YAML.format(db=tmp_path / "hub.db"))
    config = load_hub_config(path)
    engine = make_engine(config.database_url)
    upgrade_hub(engine)
    results = harvest(engine, config, transport=_transport(_documents(demo_client)))
    assert [(r.instance, r.outcome) for r in results] == [
        ("Today", "ok"), ("Older", "ok"), ("Newer", "ok")]
    with TestClient(create_hub_app(config, engine, schedule=False)) as hub:
        compare = hub.get("/api/v1/network/compare").json()
        assert compare["regions"] == ["gers", "orne", "gers-bis"]
        assert compare["stats"][1]["indicators"]["meetups_held"]["available"] is False
        page = hub.get("/comparer?lang=en")
        assert page.status_code == 200
        for label in ("Meetups held", "Meetup attendance rate", "Inquiries received",
                      "Members who reached each milestone"):
            assert label in page.text, label
    engine.dispose()
