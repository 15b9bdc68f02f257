"""Profile fields declared by plug-ins (hook ``profile_fields``): a destination commune asked
by a region plug-in reaches its incentive through the simulator's API and page, is checked
(422 naming the field), prefills the inquiry form and is shown in the eligibility verdict."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from campagne.auth.accounts import create_account
from campagne.auth.models import Role
from campagne.operations.models import Inquiry
from campagne.plugin_types import ProfileField
from campagne.profile_fields import FieldValueError, check_value
from campagne.testing import RegionKit, minimal_region

# Two imaginary communes of the test region; the populations are made up for the test.
COMMUNES = '''
from campagne import hookimpl
from campagne.plugin_types import Incentive, ProfileField, ProfileOption

POPULATIONS = {"46001": 850, "46002": 19000}


@hookimpl
def profile_fields():
    return [ProfileField(
        key="commune", kind="commune",
        label={"fr": "Commune d'arrivée", "en": "Destination commune"},
        help={"fr": "Où vous pensez vous installer.", "en": "Where you think of settling."},
        options=(ProfileOption(value="46001", label={"fr": "Petit-Village"}),
                 ProfileOption(value="46002", label={"fr": "Grande-Ville"})))]


@hookimpl
def incentives_for_profile(profile):
    code = profile.extra.get("commune")
    if code is None:
        return []
    eligible = POPULATIONS[code] < 2000
    return [Incentive(
        key="small-commune-grant",
        title={"fr": "Aide aux petites communes", "en": "Small commune grant"},
        eligible=eligible,
        reasons=({"fr": "Pour les communes de moins de 2 000 habitants.",
                  "en": "For communes under 2,000 inhabitants."},),
        yearly_value_eur=1500 if eligible else None, illustrative=True)]
'''

SEEN = '''
from campagne import hookimpl
from campagne.plugin_types import Incentive


@hookimpl
def incentives_for_profile(profile):
    return [Incentive(key="seen", title={"fr": "Vu : " + ",".join(sorted(profile.extra))},
                      eligible=True)]
'''

CLASH = '''
from campagne import hookimpl
from campagne.plugin_types import ProfileField


@hookimpl
def profile_fields():
    return [ProfileField(key="commune", kind="text", label={"fr": "Commune"})]
'''

GREEDY = '''
from campagne import hookimpl


@hookimpl
def incentives_for_profile(profile):
    profile.extra["commune"] = "46002"
    return []
'''

REQUIRED = '''
from campagne import hookimpl
from campagne.plugin_types import ProfileField


@hookimpl
def profile_fields():
    return [ProfileField(key="partner_works", kind="boolean", required=True,
                         label={"fr": "Votre conjoint travaille", "en": "Your partner works"})]
'''

# The region's own question of the inquiry form, with the same key as the plug-in's field.
LOT = minimal_region("lot", "46", inquiry_form={"extra_fields": [{
    "key": "commune", "kind": "text", "label": {"fr": "Commune visée", "en": "Commune"}}]})
STAFF = "staff-lot@example.org"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def kit(tmp_path: Path, database_url: str) -> RegionKit:
    return RegionKit(tmp_path, database_url)


@pytest.fixture
def client(kit: RegionKit) -> Iterator[TestClient]:
    folders = [kit.region("lot", config=LOT, plugins={"communes.py": COMMUNES}),
               kit.region("cantal", code="15", plugins={"seen.py": SEEN})]
    with kit.client(folders) as served:
        yield served


def simulate(client: TestClient, profile: dict[str, Any], **body: Any) -> Any:
    return client.post("/api/v1/simulator", json={"profile": profile, **body})


def grant(result: dict[str, Any], slug: str = "lot") -> dict[str, Any] | None:
    (region,) = [region for region in result["regions"] if region["slug"] == slug]
    found = [i for i in region["incentives"] if i["key"] == "small-commune-grant"]
    return found[0] if found else None


def test_hook_profile_fields(client: TestClient) -> None:
    small = simulate(client, {"commune": "46001"}, regions=["lot"])
    assert small.status_code == 200, small.text
    assert small.json()["profile"]["extra"] == {"commune": "46001"}
    found = grant(small.json())
    assert found is not None and found["eligible"] and found["yearly_value_eur"] == 1500
    large = grant(simulate(client, {"commune": "46002"}, regions=["lot"]).json())
    assert large is not None and not large["eligible"] and large["yearly_value_eur"] is None
    assert grant(simulate(client, {}, regions=["lot"]).json()) is None


def test_a_bad_value_is_a_422_naming_the_field(client: TestClient) -> None:
    for value in ("46999", "abc", 46001, True):
        answer = simulate(client, {"commune": value}, regions=["lot"])
        assert answer.status_code == 422, value
        assert [e["field"] for e in answer.json()["errors"]] == ["body.profile.commune"]


def test_an_undeclared_key_is_still_a_422(client: TestClient) -> None:
    for body in ({"regions": ["lot"]}, {"regions": ["cantal"]}, {}):
        answer = simulate(client, {"partner_job": "nurse"}, **body)
        assert answer.status_code == 422
        assert answer.json()["errors"] == [{"field": "body.profile.partner_job",
                                            "message": "Extra inputs are not permitted"}]
    # A field of the Lot is not one of the Cantal's.
    alone = simulate(client, {"commune": "46001"}, regions=["cantal"])
    assert alone.status_code == 422
    assert alone.json()["errors"][0]["field"] == "body.profile.commune"
    assert simulate(client, {"extra": {"commune": "46001"}}, regions=["lot"]).status_code == 422


def test_each_region_sees_only_the_fields_it_declares(client: TestClient) -> None:
    both = simulate(client, {"commune": "46001"})
    assert both.status_code == 200, both.text
    assert grant(both.json(), "lot") is not None
    (cantal,) = [r for r in both.json()["regions"] if r["slug"] == "cantal"]
    assert [i["title"]["fr"] for i in cantal["incentives"]] == ["Vu : "]


def test_the_region_page_asks_the_question_in_both_languages(client: TestClient) -> None:
    page = client.get("/lot/simulateur").text
    assert '<label for="commune">Commune d&#39;arrivée (facultatif)</label>' in page
    assert 'aria-describedby="commune-help"' in page
    assert "Où vous pensez vous installer." in page
    assert '<option value="46001">Petit-Village (46001)</option>' in page
    english = client.get("/lot/simulator?lang=en").text
    assert "Destination commune" in english and "Where you think of settling." in english
    assert 'name="commune"' not in client.get("/simulateur").text
    assert 'name="commune"' not in client.get("/cantal/simulateur").text


def test_the_region_page_computes_and_checks_the_field(client: TestClient) -> None:
    small = client.get("/lot/simulateur", params={"commune": "46001"})
    assert small.status_code == 200
    row = re.search(r"Aide aux petites communes.*?</tr>", small.text, re.S)
    assert row and "Éligible" in row.group(0) and "Non éligible" not in row.group(0)
    assert '<option value="46001" selected>' in small.text
    large = client.get("/lot/simulateur", params={"commune": "46002"})
    row = re.search(r"Aide aux petites communes.*?</tr>", large.text, re.S)
    assert row and "Non éligible" in row.group(0)
    bad = client.get("/lot/simulateur", params={"commune": "75056"})
    assert bad.status_code == 422
    assert '<a href="#commune">Commune d&#39;arrivée</a>' in bad.text
    assert 'id="commune-error"' in bad.text
    assert 'aria-describedby="commune-error commune-help"' in bad.text
    assert "Aide aux petites communes" not in bad.text


def test_the_simulator_prefills_the_inquiry_form_and_the_verdict_shows_it(
        kit: RegionKit, client: TestClient) -> None:
    result = client.get("/lot/simulateur", params={"status": "founder", "commune": "46001"})
    link = re.search(r'class="inquiry-link"><a href="([^"]+)"', result.text)
    assert link and link.group(1) == "/lot/candidater?status=founder&amp;commune=46001"
    form = client.get(link.group(1).replace("&amp;", "&")).text
    assert re.search(r'id="extra_commune" name="extra_commune"[^>]* value="46001"', form)
    assert 'name="profile_commune" value="46001"' in form
    ignored = client.get("/lot/candidater?commune=99999").text
    assert "profile_commune" not in ignored and 'value="99999"' not in ignored
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf
    sent = client.post("/lot/candidater", follow_redirects=False, data={
        "csrf": csrf.group(1), "profile_status": "founder", "profile_commune": "46001",
        "first_name": "Camille", "last_name": "Martin", "email": "camille@example.org",
        "consent": "on", "extra_commune": "46001"})
    assert sent.status_code == 303, sent.text
    engine = client.app.state.instance.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        row = session.exec(select(Inquiry)).one()
        assert row.profile == {"status": "founder", "commune": "46001"}
        inquiry = row.id
        create_account(session, client.app.state.instance.settings,  # type: ignore[attr-defined]
                       email=STAFF, role=Role.STAFF, regions=["lot"], password=PASSWORD)
        session.commit()
    token = client.post("/api/v1/auth/token", data={"username": STAFF, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    detail = client.get(f"/api/v1/regions/lot/inquiries/{inquiry}", headers=headers).json()
    verdict = detail["eligibility"]
    assert verdict["profile"]["extra"] == {"commune": "46001"}
    assert verdict["answers"] == [{
        "key": "commune", "label": {"fr": "Commune d'arrivée", "en": "Destination commune"},
        "value": "46001", "text": {"fr": "Petit-Village (46001)", "en": "Petit-Village (46001)"}}]
    found = [i for i in verdict["incentives"] if i["key"] == "small-commune-grant"]
    assert found and found[0]["eligible"]
    page = _signed_in(client).get(f"/lot/staff/inquiries/{inquiry}").text
    assert "<dt>Commune d&#39;arrivée</dt><dd>Petit-Village (46001)</dd>" in page
    # The person's own answer to the region's question wins over the simulated profile.
    with Session(engine) as session:
        stored = session.get(Inquiry, inquiry)
        assert stored is not None
        stored.answers = {"commune": "46002"}
        session.add(stored)
        session.commit()
    again = client.get(f"/api/v1/regions/lot/inquiries/{inquiry}", headers=headers).json()
    changed = [i for i in again["eligibility"]["incentives"] if i["key"] == "small-commune-grant"]
    assert changed and not changed[0]["eligible"]


def _signed_in(client: TestClient) -> TestClient:
    browser = TestClient(client.app, follow_redirects=False)
    form = browser.get("/account/sign-in").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf
    signed = browser.post("/account/sign-in", data={"csrf": csrf.group(1), "email": STAFF,
                                                    "password": PASSWORD})
    assert signed.status_code == 303
    return browser


def test_a_key_declared_by_two_plugins_is_a_failure_of_both(kit: RegionKit) -> None:
    folder = kit.region("lot", plugins={"communes.py": COMMUNES, "clash.py": CLASH})
    with kit.client([folder]) as client:
        assert 'name="commune"' not in client.get("/lot/simulateur").text
        answer = simulate(client, {"commune": "46001"}, regions=["lot"])
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["message"] == "Extra inputs are not permitted"
        listed = {p["name"]: p for p in client.get("/api/v1/plugins").json()}
        for name, other in (("lot.communes", "lot.clash"), ("lot.clash", "lot.communes")):
            messages = [f["message"] for f in listed[name]["failures"]]
            assert f"ValueError: profile field 'commune' is also declared by {other}" in messages


def test_a_plugin_cannot_change_the_profile_another_sees(kit: RegionKit) -> None:
    folder = kit.region("lot", plugins={"a_greedy.py": GREEDY, "communes.py": COMMUNES})
    with kit.client([folder]) as client:
        found = grant(simulate(client, {"commune": "46001"}, regions=["lot"]).json())
        assert found is not None and found["eligible"]


def test_a_required_field_must_be_given(kit: RegionKit) -> None:
    folder = kit.region("lot", plugins={"partner.py": REQUIRED})
    with kit.client([folder]) as client:
        missing = simulate(client, {}, regions=["lot"])
        assert missing.status_code == 422
        assert missing.json()["errors"] == [{"field": "body.profile.partner_works",
                                             "message": "a value is required"}]
        given = simulate(client, {"partner_works": False}, regions=["lot"])
        assert given.status_code == 200 and given.json()["profile"]["extra"] == {
            "partner_works": False}
        page = client.get("/lot/simulateur", params={"household_size": "2"})
        assert page.status_code == 422 and 'id="partner_works-error"' in page.text
        assert client.get("/lot/simulateur", params={"partner_works": "true"}).status_code == 200


def field(**changes: Any) -> ProfileField:
    return ProfileField.model_validate({"key": "x", "label": {"fr": "X"}, **changes})


@pytest.mark.parametrize(("declared", "raw", "expected"), [
    ({"kind": "integer", "minimum": 0, "maximum": 10}, "7", 7),
    ({"kind": "integer"}, 7.0, 7),
    ({"kind": "decimal", "minimum": 0.5}, "0.75", 0.75),
    ({"kind": "boolean"}, "oui", True),
    ({"kind": "boolean"}, False, False),
    ({"kind": "text", "pattern": "[A-Z]{2}"}, " AB ", "AB"),
    ({"kind": "choice", "options": [{"value": "a", "label": {"fr": "A"}}]}, "a", "a"),
    ({"kind": "commune"}, "2a004", "2A004"),
    ({"kind": "text"}, "  ", None),
])
def test_values_are_read_as_their_kind(declared: dict[str, Any], raw: Any,
                                       expected: Any) -> None:
    value = check_value(field(**declared), raw)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(("declared", "raw"), [
    ({"kind": "integer", "maximum": 10}, "11"),
    ({"kind": "integer"}, "1.5"),
    ({"kind": "integer"}, True),
    ({"kind": "integer"}, 2**40),
    ({"kind": "decimal"}, "nan"),
    ({"kind": "decimal", "minimum": 1}, 0.5),
    ({"kind": "boolean"}, "perhaps"),
    ({"kind": "text", "pattern": "[A-Z]{2}"}, "abc"),
    ({"kind": "text", "max_length": 3}, "abcd"),
    ({"kind": "text"}, 5),
    ({"kind": "choice", "options": [{"value": "a", "label": {"fr": "A"}}]}, "b"),
    ({"kind": "commune"}, "7505"),
    ({"kind": "text", "required": True}, None),
])
def test_bad_values_are_refused(declared: dict[str, Any], raw: Any) -> None:
    with pytest.raises(FieldValueError):
        check_value(field(**declared), raw)


@pytest.mark.parametrize("declared", [
    {"key": "sector", "kind": "text"},
    {"key": "extra", "kind": "text"},
    {"key": "Commune", "kind": "text"},
    {"kind": "choice"},
    {"kind": "text", "options": [{"value": "a", "label": {"fr": "A"}}]},
    {"kind": "commune", "options": [{"value": "Auch", "label": {"fr": "Auch"}}]},
    {"kind": "text", "minimum": 1},
    {"kind": "integer", "pattern": "[0-9]"},
    {"kind": "text", "pattern": "("},
    {"kind": "date"},
])
def test_a_declaration_that_cannot_work_is_refused(declared: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        field(**declared)

