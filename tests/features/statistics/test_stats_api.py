"""``/api/v1/regions/{slug}/stats`` in JSON and CSV, its JSON Schema, caching validators,
disclosure on the demo data and the absence of personal data."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from campagne.models import Member
from campagne.stats.schema import SCHEMA_PATH, StatsV1

THRESHOLD = 11


def _counts(stats: dict) -> list[int]:
    """Every published count of people in a statistics document."""
    indicators = stats["indicators"]
    found = []
    for value in indicators.values():
        if isinstance(value, dict) and "cells" in value:
            found += [cell["value"] for cell in value["cells"] if cell["value"] is not None]
            if value["total"] is not None:
                found.append(value["total"])
        elif isinstance(value, dict) and value.get("unit") is None and value["value"] is not None:
            found.append(value["value"])
    return found


def test_stats_follow_the_published_schema(demo_client: TestClient) -> None:
    answer = demo_client.get("/api/v1/regions/gers/stats")
    assert answer.status_code == 200
    stats = StatsV1.model_validate(answer.json())
    assert stats.indicators.members_total.value == 350
    assert stats.licence.name.startswith("Licence Ouverte")
    assert stats.population is not None and stats.population.value == 191000
    assert stats.indicators.inquiries_received.available, "computed from the inquiries"
    assert [cell.key for cell in stats.indicators.milestones_reached.cells] == [
        "business_plan", "financing", "workspace_found", "business_registered"]
    schema = demo_client.get(SCHEMA_PATH)
    assert schema.status_code == 200
    body = schema.json()
    assert body["$id"] == SCHEMA_PATH
    assert "indicators" in body["properties"]
    assert 'rel="license"' in answer.headers["link"]


def test_no_published_count_concerns_fewer_people_than_the_threshold(
        demo_client: TestClient) -> None:
    for slug in ("gers", "orne"):
        stats = demo_client.get(f"/api/v1/regions/{slug}/stats").json()
        assert stats["disclosure"]["threshold"] == THRESHOLD
        for value in _counts(stats):
            assert value == 0 or value >= THRESHOLD, (slug, value)
        origins = stats["indicators"]["members_by_origin"]
        hidden = [cell for cell in origins["cells"] if cell["suppressed"]]
        published = sum(cell["value"] for cell in origins["cells"] if not cell["suppressed"])
        if hidden:  # recovering by difference from the total gives a group, not a cell
            assert len(hidden) >= 2 and origins["total"] - published >= THRESHOLD


def test_no_personal_data_in_the_statistics(demo_client: TestClient) -> None:
    engine = demo_client.app.state.instance.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        people = session.exec(select(Member).limit(30)).all()
    text = demo_client.get("/api/v1/regions/gers/stats").text
    text += demo_client.get("/api/v1/regions/gers/stats?format=csv").text
    for person in people:
        for value in (person.last_name, person.email, person.phone, person.siret):
            assert not value or value not in text


def test_csv_by_query_or_accept_header(demo_client: TestClient) -> None:
    by_query = demo_client.get("/api/v1/regions/orne/stats?format=csv")
    by_header = demo_client.get("/api/v1/regions/orne/stats", headers={"Accept": "text/csv"})
    assert by_query.headers["content-type"].startswith("text/csv")
    assert by_query.text == by_header.text
    rows = list(csv.DictReader(io.StringIO(by_query.text)))
    total = next(row for row in rows if row["indicator"] == "members_total")
    assert total["value"] == "120" and total["status"] == "published"
    statuses = {row["status"] for row in rows}
    assert "suppressed" in statuses
    assert statuses <= {"published", "suppressed", "unavailable", "not_published"}
    assert all(row["value"] == "" for row in rows if row["status"] != "published"
               and row["key"] != "total")


def test_etag_and_not_modified(demo_client: TestClient) -> None:
    first = demo_client.get("/api/v1/regions/gers/stats")
    tag = first.headers["etag"]
    assert tag.startswith('W/"') and "last-modified" in first.headers
    again = demo_client.get("/api/v1/regions/gers/stats", headers={"If-None-Match": tag})
    assert again.status_code == 304 and not again.content
    other_period = demo_client.get("/api/v1/regions/gers/stats?from=2010&to=2015",
                                   headers={"If-None-Match": tag})
    assert other_period.status_code == 200
    body = other_period.json()
    assert body["period"] == {"start": "2010-01-01", "end": "2015-12-31"}
    assert "generated_at" in body


def test_unknown_region_and_bad_period(demo_client: TestClient) -> None:
    assert demo_client.get("/api/v1/regions/cantal/stats").status_code == 404
    assert demo_client.get("/api/v1/regions/gers/stats?from=1200").status_code == 422
    assert demo_client.get("/api/v1/regions/gers/stats?from=2020&to=2010").status_code == 422
    assert demo_client.get("/compare?from=2020&to=2010").status_code == 422
