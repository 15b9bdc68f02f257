"""Trends on the hub: the real hub app on a temporary database holding snapshots of several
days (a suppressed figure, an instance whose harvest failed one day, a snapshot of a later
schema version), read through ``/api/v1/network/trends`` (JSON, CSV) and ``/tendances``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from hub_kit import demo_transport
from hub_trends_kit import DAYS, TODAY, at, frozen_clock, hub_config, seed
from sqlalchemy import inspect
from sqlmodel import Session, select

from campagne import i18n
from campagne.db import alembic_config, make_engine
from campagne.hub.app import create_hub_app
from campagne.hub.config import HubConfig
from campagne.hub.db import HUB_MIGRATIONS, upgrade_hub
from campagne.hub.harvest import harvest
from campagne.hub.models import HubSnapshot, hub_metadata
from campagne.hub.trend_chart import format_value, nice_top
from campagne.hub.trends import MAX_DAYS, TrendQueryError, snapshot_figures, trend_window

API = "/api/v1/network/trends"


@pytest.fixture
def hub(database_url: str) -> Iterator[TestClient]:
    """The hub app on a seeded database of each backend, without its schedule, its clock
    stopped on the seed's last day."""
    engine = make_engine(database_url)
    seed(engine)
    app = create_hub_app(hub_config(database_url), engine, schedule=False)
    with frozen_clock(), TestClient(app, raise_server_exceptions=False) as client:
        yield client
    engine.dispose()


def _series(answer: dict[str, Any], region: str, indicator: str) -> dict[str, Any]:
    return next(s for s in answer["series"]
                if s["region"] == region and s["indicator"] == indicator)


def test_one_point_per_day_with_a_gap_and_a_suppressed_value(hub: TestClient) -> None:
    answer = hub.get(API, params={"indicator": "members_total"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["indicator"] == "members_total" and body["max_days"] == MAX_DAYS
    assert body["until"] == TODAY.isoformat() and not body["truncated"]
    assert [(s["instance"], s["region"]) for s in body["series"]] == [
        ("Gers", "gers"), ("Orne", "orne")], "configured order; Lot has no snapshot"
    gers = body["series"][0]
    assert gers["unit"] == "people" and gers["region_name"] == "Gers"
    assert [(p["date"], p["value"], p["suppressed"]) for p in gers["points"]] == [
        (DAYS[0].isoformat(), 125, False), (DAYS[1].isoformat(), 130, False),
        (DAYS[2].isoformat(), None, True), (DAYS[3].isoformat(), 140, False)]
    first = gers["points"][0]
    assert dt.datetime.fromisoformat(first["harvested_at"]) == at(DAYS[0], 20), "last of the day"
    assert first["period_end"] == DAYS[0].isoformat()
    assert dt.datetime.fromisoformat(first["generated_at"]) == at(DAYS[0], 5)
    orne = body["series"][1]
    assert [p["date"] for p in orne["points"]] == [
        DAYS[0].isoformat(), DAYS[2].isoformat(), DAYS[3].isoformat()], "the failed day is a gap"
    assert [p["value"] for p in orne["points"]] == [60, 64, 66]


def test_every_indicator_is_read_generically(hub: TestClient) -> None:
    body = hub.get(API).json()
    assert body["indicator"] is None
    assert body["indicators"][:3] == ["members_total", "members_per_100k_inhabitants",
                                      "inquiries_received"]
    assert {"desk_occupancy", "retention_1", "retention_2", "desks_total"} <= set(
        body["indicators"])
    assert "meetup_attendance" not in body["indicators"], "unavailable everywhere: skipped"
    occupancy = _series(body, "gers", "desk_occupancy")
    assert occupancy["unit"] == "share" and occupancy["points"][-1]["value"] == 0.625
    assert [p["date"] for p in _series(body, "orne", "desk_occupancy")["points"]] == [
        DAYS[0].isoformat(), DAYS[2].isoformat()], "missing from the version 2 snapshot"
    assert _series(body, "orne", "desks_total")["points"][0]["value"] == 12
    received = _series(body, "orne", "inquiries_received")["points"]
    assert received == [{**received[0], "value": None, "suppressed": True}], \
        "a suppressed value is never passed on, even when an instance sends one"
    assert {p["value"] for p in _series(body, "gers", "retention_2")["points"]} == {None}
    assert _series(body, "gers", "retention_1")["points"][0]["value"] == 0.8
    rate = _series(body, "gers", "members_per_100k_inhabitants")
    assert rate["unit"] == "per_100k_inhabitants" and rate["points"][2]["value"] is None


def test_window_bounds_and_truncation(hub: TestClient) -> None:
    one_day = hub.get(API, params={"indicator": "members_total", "since": DAYS[1].isoformat(),
                                   "until": DAYS[1].isoformat()}).json()
    assert [len(s["points"]) for s in one_day["series"]] == [1], "Orne has nothing that day"
    long = hub.get(API, params={"indicator": "members_total",
                                "since": (TODAY - dt.timedelta(days=500)).isoformat()}).json()
    assert long["truncated"] and long["since"] == (
        TODAY - dt.timedelta(days=MAX_DAYS - 1)).isoformat()
    assert len(long["series"][0]["points"]) == 4, "the 400-day-old snapshot is left out"
    old = hub.get(API, params={"indicator": "members_total",
                               "until": (TODAY - dt.timedelta(days=380)).isoformat()}).json()
    assert [p["value"] for p in old["series"][0]["points"]] == [20]


@pytest.mark.parametrize(("params", "field"), [
    ({"indicator": "members_totl"}, "indicator"),
    ({"indicator": "members_total; drop"}, "indicator"),
    ({"since": "2026-13-01"}, "since"),
    ({"since": "1999-12-31"}, "since"),
    ({"until": "2101-01-01"}, "until"),
    ({"since": DAYS[2].isoformat(), "until": DAYS[0].isoformat()}, "since"),
    ({"format": "xml"}, "format"),
])
def test_bad_parameters_are_422_naming_them(hub: TestClient, params: dict[str, str],
                                            field: str) -> None:
    answer = hub.get(API, params=params)
    assert answer.status_code == 422
    assert [error["loc"] for error in answer.json()["detail"]] == [["query", field]]


def test_unknown_indicator_lists_the_known_ones(hub: TestClient) -> None:
    message = hub.get(API, params={"indicator": "members"}).json()["detail"][0]["msg"]
    assert "'members'" in message and "members_total" in message and "desks_total" in message


def test_csv(hub: TestClient) -> None:
    answer = hub.get(API, params={"indicator": "members_total", "format": "csv"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="trends.csv"' in answer.headers["content-disposition"]
    assert answer.headers["x-trends-max-days"] == str(MAX_DAYS)
    assert answer.text.startswith("instance,region,indicator,date,harvested_at,period_end,"
                                  "generated_at,value,unit,status\r\n")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [(r["region"], r["date"], r["value"], r["status"]) for r in rows] == [
        ("gers", DAYS[0].isoformat(), "125", "published"),
        ("gers", DAYS[1].isoformat(), "130", "published"),
        ("gers", DAYS[2].isoformat(), "", "suppressed"),
        ("gers", DAYS[3].isoformat(), "140", "published"),
        ("orne", DAYS[0].isoformat(), "60", "published"),
        ("orne", DAYS[2].isoformat(), "64", "published"),
        ("orne", DAYS[3].isoformat(), "66", "published")]
    assert hub.get(API, params={"indicator": "members_total"},
                   headers={"Accept": "text/csv"}).text == answer.text
    again = hub.get(API, params={"indicator": "members_total", "format": "csv"},
                    headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304


def _table_rows(html: str) -> list[str]:
    table = html.split('<table id="trend-table">')[1].split("</table>")[0]
    return re.findall(r"<tr><th scope=\"row\">.*?</tr>", table, re.S)


@pytest.mark.parametrize(("path", "language", "heading", "month", "withheld"), [
    ("/tendances", "fr", "Évolution dans le temps", "janvier|février|mars|avril|mai|juin|"
     "juillet|août|septembre|octobre|novembre|décembre", "non diffusé"),
    ("/trends?lang=en", "en", "Trends over time", "January|February|March|April|May|June|"
     "July|August|September|October|November|December", "not published"),
])
def test_trends_page_in_both_languages(hub: TestClient, path: str, language: str,
                                       heading: str, month: str, withheld: str) -> None:
    page = hub.get(path)
    assert page.status_code == 200
    html = page.text
    assert f'<html lang="{language}">' in html and f"<h1>{heading}</h1>" in html
    assert "style=" not in html and "<script" not in html
    assert 'aria-current="page"' in html.split('class="main-menu"')[1].split("</nav>")[0]
    svg = html.split('<svg role="img"')[1].split("</svg>")[0]
    assert 'aria-labelledby="trend-title trend-desc"' in svg
    assert '<title id="trend-title">' in svg and '<desc id="trend-desc">' in svg
    assert svg.count('class="axis-label"') == 2
    desc = svg.split('<desc id="trend-desc">')[1].split("</desc>")[0]
    assert "Gers" in desc and "Orne" in desc and re.search(month, desc, re.I)
    lines = re.findall(r'class="trend-line stroke-(\d) dash-(\d)"', svg)
    assert ("0", "0") in lines and ("1", "1") in lines, "colour and dash differ"
    assert len(re.findall(r'<path d="[^"]+" class="trend-marker', svg)) == 6, \
        "one marker per published value; none for the withheld one"
    assert html.count('<path d="M') >= 2
    legend = html.split('<ul class="legend"')[1].split("</ul>")[0]
    assert "Gers" in legend and "Orne" in legend and 'aria-hidden="true"' in legend
    rows = _table_rows(html)
    assert len(rows) == 4, "one row per day"
    assert withheld in rows[2] and re.search(month, rows[0], re.I)
    assert f'datetime="{DAYS[1].isoformat()}"' in rows[1] and "—" in rows[1], "Orne's gap"
    assert "indicator=members_total&amp;format=csv" in html


def test_trends_page_shows_another_indicator_and_keeps_the_choice(hub: TestClient) -> None:
    html = hub.get("/trends", params={"lang": "en", "indicator": "desk_occupancy"}).text
    assert '<option value="desk_occupancy" selected>Desk occupancy</option>' in html
    assert '<option value="desks_total">desks_total</option>' in html, "found in a snapshot"
    rows = _table_rows(html)
    assert "62.5%" in rows[-1] and len(rows) == 4
    assert ">Share<" in html


@pytest.mark.parametrize(("params", "field"), [
    ({"indicator": "nothing"}, "indicator"), ({"since": "hier"}, "since"),
    ({"until": "2200-01-01"}, "until")])
def test_trends_page_explains_bad_input(hub: TestClient, params: dict[str, str],
                                        field: str) -> None:
    page = hub.get("/tendances", params=params)
    assert page.status_code == 422
    assert 'id="trend-error"' in page.text and f"({field})" in page.text
    assert 'aria-invalid="true"' in page.text and "Traceback" not in page.text


def test_index_and_menu_link_to_the_trends(hub: TestClient) -> None:
    html = hub.get("/?lang=en").text
    assert html.count('href="/tendances"') == 2


def test_an_empty_hub_has_no_chart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = make_engine(url)
    upgrade_hub(engine)
    with TestClient(create_hub_app(hub_config(url), engine, schedule=False)) as client:
        assert client.get(API).json()["series"] == []
        page = client.get("/trends?lang=en")
        assert page.status_code == 200 and "No figures for this indicator" in page.text
    engine.dispose()


def test_trend_window_and_scale() -> None:
    day = dt.date(2026, 6, 30)
    assert trend_window(None, None, day).since == day - dt.timedelta(days=365)
    assert trend_window("2026-06-01", None, day).until == day
    assert trend_window("2027-01-01", None, day).until == dt.date(2027, 1, 1)
    with pytest.raises(TrendQueryError) as raised:
        trend_window("2026-07-01", "2026-06-01", day)
    assert raised.value.field == "since"
    assert nice_top(140, "people") == (150, 50)
    assert nice_top(0.625, "share") == (0.8, 0.2)
    assert nice_top(3, "people") == (3, 1)
    assert nice_top(0, "people") == (4, 1)


def test_chart_labels_follow_the_language() -> None:
    token = i18n.current_locale.set("fr")
    try:
        assert format_value(0.625, "share") == "62,5\u00a0%"
        assert format_value(1234, "people") == "1\u202f234"
    finally:
        i18n.current_locale.reset(token)


def test_hub_migrations_match_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade_hub(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "version_table": "hub_alembic_version"})
        differences = compare_metadata(context, hub_metadata)
    assert differences == []
    config = alembic_config(engine, HUB_MIGRATIONS)
    with engine.begin() as connection:  # the downgrade of the trends' migration works
        config.attributes["connection"] = connection
        command.downgrade(config, "h0001")
    assert "figures" not in {c["name"] for c in inspect(engine).get_columns("hub_snapshot")}
    engine.dispose()


def test_a_harvest_keeps_the_figures_trends_read(tmp_path: Path,
                                                 demo_client: TestClient) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    config = HubConfig.model_validate({"database_url": url, "instances": [
        {"name": "CCI du Gers", "url": "http://gers.test"}]})
    engine = make_engine(url)
    upgrade_hub(engine)
    harvest(engine, config, transport=demo_transport(demo_client))
    with Session(engine) as session:
        row = session.exec(select(HubSnapshot)).one()
    assert row.figures == snapshot_figures(row.payload)
    assert row.figures["region_name"] == "Gers" and row.figures["indicators"]["members_total"]
    with TestClient(create_hub_app(config, engine, schedule=False)) as client:
        line = client.get(API, params={"indicator": "members_total"}).json()["series"][0]
    published = demo_client.get("/api/v1/regions/gers/stats").json()
    assert line["points"][0]["value"] == published["indicators"]["members_total"]["value"]
    engine.dispose()
