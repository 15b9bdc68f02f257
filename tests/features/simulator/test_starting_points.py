"""Where the candidate lives now: any département or commune (by name, postcode or INSEE
code) on the simulator's page and API; results first, human names, plurals, sources in
the page's language."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from campagne.communes import departments, find_communes, normalize
from campagne.toolkit import count_both

PROFILE: dict[str, Any] = {"status": "independent", "commute_minutes_one_way": 45,
                           "commute_mode": "public_transport", "commute_days_per_week": 3}
# The plug-ins' ids, never shown on a page (their titles are).
PLUGIN_IDS = ("commute", "housing", "workspace", "grants", "business_support",
              "gers.free_offices", "gers.soho_solo", "orne.coworking_network")


def _text(html: str) -> str:
    """The visible text of a page: no tags, no attributes."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def test_the_101_departements_with_their_prefecture() -> None:
    known = departments()
    assert len(known) == 101
    assert known["32"].prefecture == "Auch" and known["2A"].prefecture == "Ajaccio"
    assert known["974"].name == "La Réunion"


@pytest.mark.parametrize(("query", "department", "expected"), [
    ("Auch", None, ["32013"]),
    ("AUCH", None, ["32013"]),
    ("bellême", None, ["61038"]),
    ("Belleme", None, ["61038"]),
    ("32000", None, ["32013"]),
    ("32013", None, ["32013"]),
    ("st etienne", None, ["42218"]),
    ("Saint-Denis", "93", ["93066"]),
    ("Saint-Denis (974)", None, ["97411"]),
    ("Œuilly", "51", ["51410"]),
    ("nowhere at all", None, []),
])
def test_commune_matching(query: str, department: str | None, expected: list[str]) -> None:
    assert [c.code for c in find_communes(query, department)] == expected


def test_homonyms_are_all_listed_biggest_first() -> None:
    found = find_communes("Saint-Denis")
    assert [c.label for c in found[:2]] == ["Saint-Denis (974)", "Saint-Denis (93)"]
    assert normalize("L'Haÿ-les-Roses") == "l hay les roses"


def test_plural_days_in_both_languages() -> None:
    days = ("jour", "jours"), ("day", "days")
    assert count_both(1, *days) == {"fr": "1 jour", "en": "1 day"}
    assert count_both(3, *days) == {"fr": "3 jours", "en": "3 days"}
    assert count_both(0, *days) == {"fr": "0 jour", "en": "0 days"}


def _page(client: TestClient, path: str, **params: Any) -> Any:
    return client.get(f"{path}?{urlencode(params)}")


def test_a_commune_by_name_sets_the_departement(demo_client: TestClient) -> None:
    page = _page(demo_client, "/simulateur", origin_commune="paris", **PROFILE, lang="en")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Moving from: Paris, Paris (75)" in text
    assert "€1,065.60" in text  # the Navigo pass of Paris, département 75


def test_a_departement_alone_and_a_commune_in_it(demo_client: TestClient) -> None:
    page = _page(demo_client, "/simulateur", origin_department="29", **PROFILE, lang="en")
    assert page.status_code == 200 and "Moving from: Finistère (29)" in _text(page.text)
    assert '<option value="29" selected>29 · Finistère (Quimper)</option>' in page.text
    page = _page(demo_client, "/simulateur", origin_department="93",
                 origin_commune="saint denis", **PROFILE, lang="en")
    assert "Moving from: Saint-Denis, Seine-Saint-Denis (93)" in _text(page.text)


def test_homonyms_and_unknown_communes_are_form_errors(demo_client: TestClient) -> None:
    page = _page(demo_client, "/simulateur", origin_commune="Saint-Denis", **PROFILE, lang="fr")
    assert page.status_code == 422 and 'id="resultats"' not in page.text
    text = _text(page.text)
    assert "Plusieurs communes portent ce nom" in text
    assert 'value="Saint-Denis (93)"' in page.text and 'value="Saint-Denis (974)"' in page.text
    assert 'aria-invalid="true" ' in page.text or 'aria-invalid="true">' in page.text
    assert '<a href="#origin_commune">Commune ou code postal</a>' in page.text
    chosen = _page(demo_client, "/simulateur", origin_commune="Saint-Denis",
                   origin_commune_choice="Saint-Denis (974)", **PROFILE, lang="en")
    assert chosen.status_code == 200
    assert "Moving from: Saint-Denis, La Réunion (974)" in _text(chosen.text)
    unknown = _page(demo_client, "/simulateur", origin_commune="Zzyzx", **PROFILE, lang="en")
    assert unknown.status_code == 422
    assert "No commune has this name or postcode" in _text(unknown.text)


def test_results_come_first_with_the_totals_on_top(demo_client: TestClient) -> None:
    page = _page(demo_client, "/simulateur", origin_commune="75001", **PROFILE, lang="en").text
    results, form = page.index('id="resultats"'), page.index('<form method="get"')
    summary, detail = page.index('class="simulation-summary"'), page.index('class="incentives"')
    assert results < summary < detail < form
    assert '<details class="simulator-edit">' in page and 'action="/simulateur#resultats"' in page
    blank = _page(demo_client, "/simulateur", lang="en").text
    assert "simulator-edit" not in blank and 'id="resultats"' not in blank


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_plugin_id_on_the_page(demo_client: TestClient, lang: str) -> None:
    for path in ("/simulateur", "/gers/simulateur", "/orne/simulateur"):
        page = _page(demo_client, path, origin_department="75", housing_budget_eur=1000,
                     housing_kind="rent", **PROFILE, lang=lang)
        assert page.status_code == 200
        text = _text(page.text)
        words = set(re.findall(r"[\w.]+", text))
        # "commute" and "housing" are English words too: as ids they were shown "(commute)".
        assert not words & {i for i in PLUGIN_IDS if "_" in i or "." in i}
        assert not [i for i in PLUGIN_IDS if f"({i})" in text or f"{i}:" in text]


def test_plurals_and_sources_in_the_page_language(demo_client: TestClient) -> None:
    english = _text(_page(demo_client, "/gers/simulateur", origin_department="75",
                          **PROFILE, lang="en").text)
    assert "3 days a week" in english and "five weeks of paid leave a year" in english
    assert "jour" not in english and "semaines" not in english and "(s)" not in english
    french = _text(_page(demo_client, "/gers/simulateur", origin_department="75",
                         **{**PROFILE, "commute_days_per_week": 1}, lang="fr").text)
    assert "1 jour par semaine" in french and "cinq semaines de congés payés" in french
    assert "(s)" not in french and "paid leave" not in french
    three = _text(_page(demo_client, "/gers/simulateur", origin_department="75",
                        **PROFILE, lang="fr").text)
    assert "3 jours par semaine" in three


def test_the_api_takes_a_commune(demo_client: TestClient) -> None:
    answer = demo_client.post("/api/v1/simulator", json={
        "origin_commune": "Saint Denis (93)", "profile": PROFILE, "regions": ["gers"]})
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["profile"]["origin_department"] == "93"
    assert result["origin"] == {"department": "93", "department_name": "Seine-Saint-Denis",
                                "prefecture": "Bobigny", "commune_code": "93066",
                                "commune": "Saint-Denis", "postcode": None}
    # 61130 is the postcode of Bellême and a dozen communes around it, all in the Orne.
    by_postcode = demo_client.post("/api/v1/simulator", json={"origin_commune": "61130"})
    assert by_postcode.status_code == 200
    assert by_postcode.json()["profile"]["origin_department"] == "61"
    assert by_postcode.json()["origin"]["postcode"] == "61130"


@pytest.mark.parametrize(("body", "words"), [
    ({"origin_commune": "Saint-Denis"}, ["several communes", "Saint-Denis (93)"]),
    ({"origin_commune": "Zzyzx"}, ["no commune matches"]),
    ({"origin_commune": "Auch", "profile": {"origin_department": "61"}},
     ["no commune matches"]),
    ({"origin_commune": "x" * 81}, ["80"]),
])
def test_the_api_refuses_a_bad_commune(demo_client: TestClient, body: dict[str, Any],
                                       words: list[str]) -> None:
    answer = demo_client.post("/api/v1/simulator", json=body)
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert errors[0]["field"] == "body.origin_commune"
    assert all(word in errors[0]["message"] for word in words), errors


def test_the_openapi_document_describes_origin_commune(demo_client: TestClient) -> None:
    schema = demo_client.get("/openapi.json").json()["components"]["schemas"]
    assert "origin_commune" in schema["SimulatorRequest"]["properties"]
    assert "origin" in schema["Simulation"]["properties"]
