"""The day-to-day work from end to end, across its parts, on SQLite and PostgreSQL: a person
sends the public form; the Gers's staff find the inquiry on their board, move it through the
stages, convert it; the member's history holds the whole story; plug-ins were told along
the way; and the region's open statistics count it, without naming anyone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts_kit import World, world
from accounts_kit import signed_in_client as sign_in
from fastapi.testclient import TestClient
from inquiry_kit import inquiries, send_form

API = "/api/v1/regions/gers"
EMAIL = "scenario.durandal@example.org"


@pytest.fixture
def w(tmp_path: Path, database_url: str) -> Iterator[World]:
    with world(tmp_path, database_url) as built:
        yield built


def test_from_the_public_form_to_a_settled_member(w: World) -> None:
    visitor = TestClient(w.client.app)
    sent = send_form(visitor, "/gers/candidater", email=EMAIL, last_name="Scénario")
    assert sent.status_code == 303, sent.text
    [stored] = inquiries(w.instance, email=EMAIL)
    assert stored.stage == "new" and stored.source == "form"

    staff, csrf = sign_in(w, "staff_gers")
    board = staff.get("/gers/staff/pipeline?lang=fr").text
    new_column = board.split('id="stage-new"')[1].split("</section>")[0]
    # the column shows those waiting longest; the stage's list has every inquiry
    assert 'href="/gers/staff/pipeline/new"' in new_column
    stage_list = staff.get("/gers/staff/pipeline/new?lang=fr").text
    assert f'href="/gers/staff/inquiries/{stored.id}"' in stage_list
    assert "Scénario" in stage_list
    today = staff.get("/gers/staff/?lang=fr").text
    assert "Scénario" in today.split('id="new"')[1]

    version = stored.version
    for stage in ("contacted", "discovery_visit", "project_under_way"):
        moved = staff.post(f"/gers/staff/inquiries/{stored.id}/stage",
                           data={"csrf": csrf, "version": str(version), "stage": stage})
        assert moved.status_code == 303 and "conflict" not in moved.headers["location"]
        version += 1
    headers = w.headers("staff_gers")
    call = w.client.post(f"{API}/inquiries/{stored.id}/interactions", headers=headers,
                         json={"kind": "call", "summary": "Visite de Lectoure prévue"})
    assert call.status_code == 201
    converted = w.client.post(f"{API}/inquiries/{stored.id}/convert", headers=headers, json={})
    assert converted.status_code == 201, converted.text
    member_id = converted.json()["member_id"]
    detail = w.client.get(f"{API}/inquiries/{stored.id}", headers=headers).json()
    settled = w.client.patch(f"{API}/inquiries/{stored.id}", headers=headers,
                             json={"version": detail["version"], "stage": "settled"})
    assert settled.status_code == 200, settled.text

    timeline = w.client.get(f"{API}/members/{member_id}/timeline", headers=headers).json()
    kinds = [entry["kind"] for entry in timeline]
    assert kinds.count("stage") == 4 and "conversion" in kinds and "call" in kinds
    assert "Visite de Lectoure prévue" in [entry["summary"] for entry in timeline]
    # The Gers's welcome committee plug-in paired the newcomer with an ambassador.
    notes = [entry for entry in timeline if entry["kind"] == "note"]
    assert notes and any("welcome_committee" in (entry["author"] or "") for entry in notes)
    record = w.client.get(f"{API}/members/{member_id}", headers=headers).json()
    assert (record["last_name"], record["email"]) == ("Scénario", EMAIL)
    member_page = staff.get(f"/gers/staff/members/{member_id}?lang=fr").text
    assert "Visite de Lectoure prévue" in member_page

    stats = w.client.get(f"{API}/stats").json()
    received = stats["indicators"]["inquiries_received"]
    assert received["suppressed"] or received["value"] >= 1
    published = w.client.get(f"{API}/stats?format=csv").text + str(stats)
    assert "Scénario" not in published and EMAIL not in published
    assert not re.search(r"scenario\.durandal", published)
