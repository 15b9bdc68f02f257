"""Editing a meetup is one use case (``campagne.features.meetups.actions.edit``): through
the staff API and through the staff page it writes the same audit record, tells the
plug-ins the same thing and sends the same e-mails."""

from __future__ import annotations

import re
from typing import Any

from accounts_kit import PASSWORD
from fastapi.testclient import TestClient
from meetups_kit import Inbox, deliver, in_days
from meetups_kit import smtp as smtp
from sqlmodel import Session, col, select

from campagne.app import create_app
from campagne.auth.accounts import create_account
from campagne.auth.models import AuditEvent, Role
from campagne.testing import RegionKit

LISTENER = '''
from campagne import hookimpl

EVENTS = []


@hookimpl
def on_event_registration(region, registration):
    EVENTS.append(registration)
'''
STAFF = "staff-lot@example.org"
API = "/api/v1/regions/lot/events"


def _csrf(client: TestClient) -> str:
    """Open a page session as the Lot's staff; return its form token."""
    form = client.get("/account/sign-in").text
    found = re.search(r'name="csrf" value="([^"]+)"', form)
    assert found
    signed = client.post("/account/sign-in", data={
        "csrf": found.group(1), "email": STAFF, "password": PASSWORD}, follow_redirects=False)
    assert signed.status_code == 303
    page = re.search(r'name="csrf" value="([^"]+)"', client.get("/account/").text)
    assert page
    return page.group(1)


def _full_meetup(client: TestClient, headers: dict[str, str], n: int) -> tuple[int, int, int]:
    """A meetup of one place, taken, with someone waiting: (meetup, version, waiting id)."""
    created = client.post(API, headers=headers, json={
        "title": "Club", "theme": "Clients", "starts_at": in_days(9)[:16],
        "ends_at": in_days(9, 20)[:16], "place": "Cahors", "capacity": 1})
    assert created.status_code == 201, created.text
    event = created.json()
    ids = []
    for who in ("first", "waiting"):
        answer = client.post(f"{API}/{event['id']}/registrations", json={
            "guest_name": who, "guest_email": f"{who}-{n}@example.org"})
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    return event["id"], event["version"], ids[1]


def test_an_edit_by_api_and_by_page_records_and_tells_the_same(kit: RegionKit,
                                                                smtp: Inbox) -> None:
    instance = kit.instance([kit.region("lot", plugins={"listener.py": LISTENER})])
    events: list[Any] = instance.plugins.records["lot.listener"].plugin.EVENTS  # type: ignore[attr-defined]
    with Session(instance.engine) as session:
        create_account(session, instance.settings, email=STAFF, role=Role.STAFF,
                       regions=["lot"], password=PASSWORD)
        session.commit()
    outcomes = []
    with TestClient(create_app(instance)) as client:
        token = client.post("/api/v1/auth/token", data={"username": STAFF, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        for n, way in enumerate(("api", "page")):
            event_id, version, waiting = _full_meetup(client, headers, n)
            del events[:]
            deliver(instance)  # the sign-ups' own e-mails
            sent = len(smtp.messages)
            if way == "api":
                answer = client.patch(f"{API}/{event_id}", headers=headers,
                                      json={"version": version, "capacity": 2})
                assert answer.status_code == 200, answer.text
            else:
                answer = client.post(f"/lot/staff/meetups/{event_id}", data={
                    "csrf": _csrf(client), "version": str(version), "title": "Club",
                    "theme": "Clients", "description": "", "starts_at": in_days(9)[:16],
                    "ends_at": in_days(9, 20)[:16], "place": "Cahors", "address": "",
                    "capacity": "2"}, follow_redirects=False)
                assert answer.headers["location"].endswith("notice=saved")
                client.cookies.clear()
            deliver(instance)
            with Session(instance.engine) as session:
                audited = session.exec(select(AuditEvent).where(
                    AuditEvent.action == "update",
                    col(AuditEvent.target) == f"meetup:{event_id}")).all()
            outcomes.append({
                "audit": [(a.actor_email, a.region_slug, a.detail) for a in audited],
                "notices": [(e.status, e.registration_id == waiting, e.meetup_id == event_id)
                            for e in events],
                "mails": [(m["To"].split("-")[0], m["Subject"])
                          for m in smtp.messages[sent:]]})
    api, page = outcomes
    assert api == page
    assert api["audit"] == [(STAFF, "lot", {"fields": ["capacity"]})]
    assert api["notices"] == [("promoted", True, True)]
    assert [to for to, _ in api["mails"]] == ["waiting"]
