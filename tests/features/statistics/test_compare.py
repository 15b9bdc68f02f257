"""``/comparer`` (``/compare``) and ``/api/v1/network/compare``: the regions of one
instance side by side, on SQLite and PostgreSQL (a hosted multi-region instance)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient

from campagne.features.statistics.compare import KEY_ROWS
from campagne.stats.schema import NetworkComparison


def test_compare_api_puts_the_regions_side_by_side(demo_client: TestClient) -> None:
    answer = demo_client.get("/api/v1/network/compare")
    assert answer.status_code == 200
    comparison = NetworkComparison.model_validate(answer.json())
    assert comparison.regions == ["gers", "orne"]
    totals = [s.indicators.members_total.value for s in comparison.stats]
    assert totals == [350, 120]
    one = demo_client.get("/api/v1/regions/orne/stats").json()
    assert answer.json()["stats"][1]["indicators"] == one["indicators"]


def test_compare_csv(demo_client: TestClient) -> None:
    answer = demo_client.get("/api/v1/network/compare?format=csv&from=2010&to=2020")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert {row["region"] for row in rows} == {"gers", "orne"}
    assert {row["period_end"] for row in rows} == {"2020-12-31"}


@pytest.mark.parametrize(("path", "lang", "heading", "members"), [
    ("/comparer", "fr", "Régions comparées", "Membres"),
    ("/compare", "en", "Regions compared", "Members"),
])
def test_compare_page_in_both_languages(demo_client: TestClient, path: str, lang: str,
                                        heading: str, members: str) -> None:
    answer = demo_client.get(f"{path}?lang={lang}")
    assert answer.status_code == 200
    html = answer.text
    assert f"<h1>{heading}</h1>" in html
    assert "Gers" in html and "Orne" in html
    assert f"<th scope=\"row\">{members}</th>" in html
    # Charts drawn on the server, accessible: a title, a description, a table alternative.
    assert html.count('<svg class="chart-wide" role="img"') == 3
    assert html.count('<svg class="chart-phone" role="img"') == 3
    assert re.search(r"<title id=\"chart-members-title\">", html)
    assert "<desc id=\"chart-members-desc\">" in html
    assert 'href="#key-figures"' in html and 'id="key-figures"' in html
    assert "style=" not in html and "<script" not in html
    assert "format=csv" in html
    assert 'aria-current="page"' in html


def test_compare_page_keeps_the_period(demo_client: TestClient) -> None:
    html = demo_client.get("/compare?from=2012&to=2018&lang=en").text
    assert 'value="2012"' in html and "to=2018" in html


def test_compare_page_shows_no_small_count(demo_client: TestClient) -> None:
    """Every cell counting people is 0 or at least the threshold; rows that count something
    else (meetups held: public events) are left out of the check by their label."""
    html = demo_client.get("/compare?lang=en").text
    not_people = {label for _key, label, unit in KEY_ROWS if unit == "meetups"}
    cells = []
    for header, row in re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', html, re.S):
        if header not in not_people:
            cells += re.findall(r'<td class="num">([\d,]+)</td>', row)
    assert cells
    for cell in cells:
        value = int(cell.replace(",", ""))
        assert value == 0 or value >= 11, value


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", "moins de 11 personnes, non diffusé"),
    ("en", "fewer than 11 people, not published"),
])
def test_a_withheld_count_is_said_in_plain_words(demo_client: TestClient, lang: str,
                                                 words: str) -> None:
    html = demo_client.get(f"/compare?lang={lang}").text
    withheld = re.findall(r'<span class="suppressed">([^<]+)</span>', html)
    assert withheld, "the demo data withholds some counts"
    assert set(withheld) == {words}
    assert ">secret<" not in html and ">withheld<" not in html
