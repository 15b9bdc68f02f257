"""The move simulator over the API and its pages: the Paris IT consultant's example,
the side-by-side comparison, invalid profiles, failing plug-ins and a third-party package."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from packages_kit import install_example

from campagne.regions import reference_region_paths
from campagne.testing import RegionKit, minimal_region

CONSULTANT: dict[str, Any] = {
    "origin_department": "75", "status": "independent", "sector": "it_internet_ecommerce",
    "commute_minutes_one_way": 45, "commute_mode": "public_transport",
    "commute_days_per_week": 5,
}
# Hand-computed (see tests/test_incentive_plugins.py and docs/simulator.md):
# commute: 12 × €88.80 (Navigo 2025) = €1,065.60; 2 × 45 min × 5 days × 47 weeks = 352.5 h;
# Gers free offices: €15 × 5 days × 47 weeks = €3,525 (illustrative);
# Orne workspace: (€15 − €10) × 5 × 47 = €1,175 (illustrative).
EXPECTED = {
    "gers": {"commute": 1065.60, "gers.free_offices": 3525.0},
    "orne": {"commute": 1065.60, "workspace": 1175.0},
}


def _simulate(client: TestClient, profile: dict[str, Any], **extra: Any) -> Any:
    response = client.post("/api/v1/simulator", json={"profile": profile, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def test_paris_consultant_in_the_gers_and_the_orne(demo_client: TestClient) -> None:
    result = _simulate(demo_client, CONSULTANT, regions=["gers", "orne"])
    regions = {region["slug"]: region for region in result["regions"]}
    assert list(regions) == ["gers", "orne"]
    for slug, parts in EXPECTED.items():
        region = regions[slug]
        assert region["yearly_by_plugin_eur"] == parts
        assert region["yearly_total_eur"] == pytest.approx(sum(parts.values()))
        assert region["yearly_hours_saved"] == 352.5
        assert region["includes_illustrative"] and region["failed_plugins"] == []
        for incentive in region["incentives"]:
            if incentive["eligible"] and incentive["yearly_value_eur"] is not None:
                assert incentive["source"] or incentive["illustrative"], incentive["key"]
    keys = {slug: {i["key"] for i in region["incentives"]} for slug, region in regions.items()}
    assert "soho-solo-package" in keys["gers"] and "coworking-network" in keys["orne"]
    assert "soho-solo-package" not in keys["orne"]
    assert regions["gers"]["yearly_total_eur"] == 4590.60
    assert regions["orne"]["yearly_total_eur"] == 2240.60


def test_all_regions_by_default_and_nothing_needed(demo_client: TestClient) -> None:
    result = _simulate(demo_client, {})
    assert [region["slug"] for region in result["regions"]] == ["gers", "orne"]


@pytest.mark.parametrize(("body", "field"), [
    ({"profile": {"commute_days_per_week": 9}}, "body.profile.commute_days_per_week"),
    ({"profile": {"status": "retired"}}, "body.profile.status"),
    ({"profile": {"household_size": 0}}, "body.profile.household_size"),
    ({"profile": {"housing_budget_eur": -1}}, "body.profile.housing_budget_eur"),
    ({"profile": {"name": "Jeanne"}}, "body.profile.name"),
    ({"profile": {"sector": "astrology"}}, "body.profile.sector"),
    ({"profile": {"origin_department": "999"}}, "body.profile.origin_department"),
    ({"regions": ["atlantis"]}, "body.regions"),
])
def test_invalid_profiles_answer_422_naming_the_field(demo_client: TestClient,
                                                      body: dict[str, Any], field: str) -> None:
    response = demo_client.post("/api/v1/simulator", json=body)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]


def test_the_comparison_page_shows_both_regions_side_by_side(demo_client: TestClient) -> None:
    query = urlencode({**CONSULTANT, "lang": "en"}) + "&regions=gers&regions=orne"
    for path in ("/simulateur", "/simulator"):
        response = demo_client.get(f"{path}?{query}")
        assert response.status_code == 200
        page = response.text
        assert ">Yearly estimate by incentive, side by side</caption>" in page
        for amount in ("€1,065.60", "€3,525.00", "€1,175.00", "€4,590.60", "€2,240.60"):
            assert amount in page
        assert "Navigo" in page and "Illustrative figure" in page
        assert 'scope="col"' in page and "<legend>" in page
        assert "<script" not in page and "style=" not in page


def test_region_page_and_french_formatting(demo_client: TestClient) -> None:
    response = demo_client.get(f"/gers/simulateur?{urlencode({**CONSULTANT, 'lang': 'fr'})}")
    assert response.status_code == 200
    assert "3\u202f525,00\u00a0€" in response.text and "Orne" not in response.text.split(
        "results-title")[1]
    assert demo_client.get("/orne/simulator").status_code == 200
    assert demo_client.get("/nowhere/simulateur").status_code == 404


def test_an_invalid_form_answers_422_and_names_the_field(demo_client: TestClient) -> None:
    response = demo_client.get("/simulateur?commute_days_per_week=12&lang=en")
    assert response.status_code == 422
    assert 'id="commute_days_per_week-error"' in response.text
    assert 'aria-invalid="true"' in response.text


def test_a_blank_form_shows_no_result(demo_client: TestClient) -> None:
    response = demo_client.get("/simulateur?lang=en")
    assert response.status_code == 200 and "results-title" not in response.text
    assert 'href="/simulateur"' in response.text  # menu link


FAILING = '''
from campagne import hookimpl

@hookimpl
def incentives_for_profile(profile):
    raise RuntimeError("no figures today")
'''
WRONG = '''
from campagne import hookimpl

@hookimpl
def incentives_for_profile(profile):
    return "a lot of money"
'''


def test_a_failing_plugin_is_left_out_with_a_note(kit: RegionKit) -> None:
    folder = kit.region("lot", plugins={"broken.py": FAILING, "wrong.py": WRONG})
    with kit.client([folder]) as client:
        result = _simulate(client, CONSULTANT)
        assert result["regions"][0]["failed_plugins"] == ["lot.broken", "lot.wrong"]
        page = client.get(f"/simulator?{urlencode({**CONSULTANT, 'lang': 'en'})}")
        assert page.status_code == 200
        assert "2 incentives could not be computed" in page.text
        assert "lot.broken" not in page.text


OWN_LINK = """{% extends "core:simulator.html" %}
{% block inquiry_link %}<p id="own-link">Write to {{ r.programme }}</p>{% endblock %}
"""


def test_a_region_replaces_the_block_inquiry_link_of_the_feature_template(
        kit: RegionKit) -> None:
    """``core:simulator.html`` names the feature's own template, as the plug-in guide says."""
    lot = kit.region("lot", templates={"simulator.html": OWN_LINK})
    with kit.client([lot]) as client:
        page = client.get(f"/lot/simulateur?{urlencode({**CONSULTANT, 'lang': 'en'})}")
        assert page.status_code == 200, page.text
        assert '<p id="own-link">Write to ' in page.text
        assert 'class="inquiry-link"' not in page.text
        assert "results-title" in page.text  # the rest of the feature's page is there


def test_a_third_party_package_adds_its_incentive(kit: RegionKit, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    install_example(tmp_path, monkeypatch)
    with kit.client(reference_region_paths(), load_entry_points=True) as client:
        founder = {**CONSULTANT, "status": "founder"}
        for region in _simulate(client, founder)["regions"]:
            found = [i for i in region["incentives"] if i["plugin"] == "example_incentive"]
            assert [i["key"] for i in found] == ["example-relocation-bonus"]
            assert found[0]["eligible"] and found[0]["illustrative"]
            assert region["yearly_by_plugin_eur"]["example_incentive"] == 1000
        consultant = _simulate(client, CONSULTANT)["regions"][0]["incentives"]
        bonus = next(i for i in consultant if i["plugin"] == "example_incentive")
        assert not bonus["eligible"]
        page = client.get(f"/simulateur?{urlencode({**founder, 'lang': 'en'})}").text
        assert "Relocation bonus" in page and "example_incentive" not in page


def test_a_region_configures_grants_and_housing_in_its_yaml(kit: RegionKit) -> None:
    config = minimal_region("lot", "46", plugins={
        "grants": {"grants": [{
            "key": "installation", "title": {"fr": "Prime", "en": "Grant"},
            "amount_eur": {"value": 2000, "illustrative": True},
            "conditions": {"fr": "Créateurs.", "en": "Founders."},
            "statuses": ["founder"], "deadline": "2999-12-31"}]},
        "housing": {"price_per_m2_eur": {"value": 2000, "illustrative": True},
                    "rent_per_m2_eur": {"value": 10, "source": {"title": "Observatoire",
                                                                "date": "2025"}}},
    })
    folder = kit.region("lot", config=config)
    with kit.client([folder]) as client:
        renter = {**CONSULTANT, "status": "founder", "housing_budget_eur": 1200,
                  "housing_kind": "rent"}
        region = _simulate(client, renter)["regions"][0]
        # Grant: €2,000 once. Rent: 40 m² in Paris at €30; 40 × €10 = €400; (1,200 − 400) × 12.
        assert region["yearly_by_plugin_eur"] == {"grants": 2000, "housing": 9600}
        housing = next(i for i in region["incentives"] if i["key"] == "housing")
        assert housing["illustrative"]  # Paris rent is an order of magnitude
        assert housing["source"]["title"] == "Observatoire" and housing["sources"] == []


def test_every_invalid_field_is_linked_from_the_error_summary(demo_client: TestClient) -> None:
    response = demo_client.get("/simulator?status=retired&housing_kind=lease&lang=en")
    assert response.status_code == 422
    for field in ("status", "housing_kind"):
        assert f'href="#{field}"' in response.text and f'id="{field}"' in response.text
        assert f'id="{field}-error"' in response.text
