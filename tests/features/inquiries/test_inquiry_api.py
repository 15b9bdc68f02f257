"""``POST /api/v1/regions/{slug}/inquiries``: 201 with the id only, 422 naming the field,
429 with Retry-After, the acknowledgement in the request's language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from inquiry_kit import deliver, inquiries, smtp_server

from campagne.app import create_app
from campagne.i18n import format_wait
from campagne.instance import Instance
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit, minimal_region

URL = "/api/v1/regions/gers/inquiries"
BODY: dict[str, Any] = {
    "first_name": "Noé", "last_name": "Castagnet", "email": "noe@example.org",
    "origin_department": "33", "sector": "translation_writing", "status": "founder",
    "timing": "later", "message": "Bonjour", "consent": True,
}


@pytest.fixture
def served(tmp_path: Path, database_url: str) -> Iterator[tuple[TestClient, Instance]]:
    """The reference regions on each backend, without demo data."""
    instance = RegionKit(tmp_path, database_url).instance(reference_region_paths())
    with TestClient(create_app(instance), raise_server_exceptions=False) as client:
        yield client, instance
    instance.engine.dispose()


def test_201_answers_the_id_and_a_status_only(served: tuple[TestClient, Instance]) -> None:
    client, instance = served
    answer = client.post(URL, json={**BODY, "profile": {"status": "founder", "sector": "other"}})
    assert answer.status_code == 201
    body = answer.json()
    [row] = inquiries(instance)
    assert body == {"id": row.id, "status": "received", "acknowledgement": "queued",
                    "detail": "Demande reçue\u00a0; le programme vous répondra. Un accusé de "
                              "réception part vers l’adresse électronique donnée."}
    assert "noe" not in answer.text.lower() and "Castagnet" not in answer.text
    assert (row.source, row.stage, row.sector_slug, row.timing) == (
        "api", "new", "translation_writing", "later")
    assert row.profile == {"status": "founder", "sector": "other"}
    assert row.consent_purpose and row.consent_given_at and row.last_contact_at


@pytest.mark.parametrize(("change", "field"), [
    ({"email": None}, "body.email"),
    ({"email": "noe.example.org"}, "body.email"),
    ({"consent": False}, "body.consent"),
    ({"sector": "astrology"}, "body.sector"),
    ({"status": "retired"}, "body.status"),
    ({"origin_department": "99"}, "body.origin_department"),
    ({"phone": "call me maybe"}, "body.phone"),
    ({"first_name": "x" * 101}, "body.first_name"),
    ({"answers": {"village": "Auch"}}, "body.answers.village"),
    ({"nickname": "N"}, "body.nickname"),
    ({"consent": "perhaps"}, "body.consent"),
    ({"profile": {"email": "noe@example.org"}}, "body.profile.email"),
])
def test_422_names_the_field(tmp_path: Path, change: dict[str, Any], field: str) -> None:
    kit = RegionKit(tmp_path)
    with kit.client(reference_region_paths()) as client:
        answer = client.post(URL, json={**BODY, **change})
        assert answer.status_code == 422, answer.text
        assert field in [problem["field"] for problem in answer.json()["errors"]]
        assert client.post("/api/v1/regions/nowhere/inquiries", json=BODY).status_code == 404


def test_the_region_questions_are_answered_in_answers(tmp_path: Path) -> None:
    kit = RegionKit(tmp_path / "regions")
    lot = kit.region("lot", config=minimal_region("lot", inquiry_form={"extra_fields": [
        {"key": "village", "label": "Village", "required": True},
        {"key": "visit", "label": "Visite", "kind": "boolean"}]}))
    with kit.client([lot]) as client:
        url = "/api/v1/regions/lot/inquiries"
        missing = client.post(url, json=BODY)
        assert missing.status_code == 422
        assert [e["field"] for e in missing.json()["errors"]] == ["body.answers.village"]
        assert client.post(url, json={**BODY, "answers": {"village": "Figeac", "visit": True}}
                           ).status_code == 201


def test_429_with_retry_after(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAGNE_INQUIRY_RATE_LIMIT", "1")
    monkeypatch.setenv("CAMPAGNE_INQUIRY_RATE_WINDOW_MINUTES", "10")
    with RegionKit(tmp_path).client(reference_region_paths()) as client:
        assert client.post(URL, json=BODY).status_code == 201
        early = client.post(URL, json={"first_name": "bad", "email": BODY["email"]})
        assert early.status_code == 429  # counted before the checks
        limited = client.post(URL, json=BODY, headers={"Accept-Language": "en"})
        assert limited.status_code == 429
        wait = int(limited.headers["retry-after"])
        assert 0 < wait <= 600
        assert limited.json() == {"detail": (
            "This e-mail address has reached the limit of 1 inquiries from this connection in "
            f"10 minutes. You may send again in {format_wait(wait, locale='en')}.")}
        other = client.post(URL, json={**BODY, "email": "someone.else@example.org"})
        assert other.status_code == 201  # another person behind the same connection


def test_acknowledgement_follows_the_request_language(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kit = RegionKit(tmp_path / "regions")
    contact = {"email": "bonjour@cci-lot.example", "phone": "05 65 00 00 00"}
    config = minimal_region("lot")
    config["programme"]["contact"] = contact
    lot = kit.region("lot", config=config)
    with smtp_server(monkeypatch) as inbox, kit.client([lot]) as client:
        url = "/api/v1/regions/lot/inquiries"
        assert client.post(url, json=BODY, headers={"Accept-Language": "en"}).status_code == 201
        assert client.post(url, json={**BODY, "email": "fr@example.org"}).status_code == 201
        deliver(client.app.state.instance)  # type: ignore[attr-defined]
        english, french = inbox.messages
        assert english["Subject"] == "Programme d'essai: we have received your inquiry"
        assert english["Reply-To"] == "bonjour@cci-lot.example"
        text = english.get_content()
        assert text.startswith("Hello Noé,")
        assert "E-mail: bonjour@cci-lot.example" in text and "Phone: 05 65 00 00 00" in text
        assert "run by CCI d'essai" in text
        assert french["To"] == "fr@example.org"
        assert "Courriel\u00a0: bonjour@cci-lot.example" in french.get_content()


def test_the_route_is_documented_in_openapi(tmp_path: Path) -> None:
    with RegionKit(tmp_path).client(reference_region_paths()) as client:
        operation = client.get("/openapi.json").json()["paths"][
            "/api/v1/regions/{slug}/inquiries"]["post"]
        assert operation["tags"] == ["inquiries"]
        assert {"201", "422", "429"} <= set(operation["responses"])
