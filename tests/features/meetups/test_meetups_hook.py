"""The ``on_event_registration`` hook: called after the commit with ids and statuses only
(sign-up, waiting list, cancellation, promotion); a failing plug-in does not stop a sign-up.

tests/test_docs.py requires the ``test_hook_on_event_registration`` function."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import Session, select

from campagne.app import create_app
from campagne.features.meetups.mail import cancel_token
from campagne.features.meetups.models import Meetup, Registration
from campagne.instance import Instance
from campagne.models import Region
from campagne.plugin_types import EventRegistration
from campagne.testing import RegionKit

LISTENER = '''
from campagne import hookimpl

EVENTS = []


@hookimpl
def on_event_registration(region, registration):
    EVENTS.append((region.slug, registration))
'''


def _meetup(instance: Instance, slug: str, capacity: int) -> int:
    with Session(instance.engine) as session:
        region_id = session.exec(select(Region.id).where(Region.slug == slug)).one()
        assert region_id is not None
        start = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
        meetup = Meetup(region_id=region_id, uid=f"{uuid.uuid4().hex}@test.invalid",
                        title="Club", starts_at=start, ends_at=start + dt.timedelta(hours=2),
                        place="Cahors", capacity=capacity)
        session.add(meetup)
        session.commit()
        assert meetup.id is not None
        return meetup.id


def _sign_up(client: TestClient, event_id: int, n: int) -> dict[str, Any]:
    answer = client.post(f"/api/v1/regions/lot/events/{event_id}/registrations", json={
        "guest_name": f"Personne {n}", "guest_email": f"p{n}@example.org"})
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


def test_hook_on_event_registration(kit: RegionKit) -> None:
    lot = kit.region("lot", plugins={"listener.py": LISTENER})
    instance = kit.instance([lot, kit.region("cantal", code="15")])
    try:
        event_id = _meetup(instance, "lot", capacity=1)
        with TestClient(create_app(instance)) as client:
            first = _sign_up(client, event_id, 1)
            second = _sign_up(client, event_id, 2)
            token = cancel_token(instance.settings, first["id"])
            page = client.get(f"/lot/rencontres/annulation?token={token}")
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert csrf
            done = client.post("/lot/rencontres/annulation",
                               data={"csrf": csrf.group(1), "token": token})
            assert done.status_code == 200
        events = instance.plugins.records["lot.listener"].plugin.EVENTS  # type: ignore[attr-defined]
        seen = [(slug, e.registration_id, e.status, e.member_id, e.meetup_id)
                for slug, e in events]
        assert seen == [("lot", first["id"], "confirmed", None, event_id),
                        ("lot", second["id"], "waitlisted", None, event_id),
                        ("lot", first["id"], "cancelled", None, event_id),
                        ("lot", second["id"], "promoted", None, event_id)]
        payload = events[0][1]
        assert set(type(payload).model_fields) == {
            "meetup_id", "registration_id", "member_id", "status", "occurred_at"}
        assert payload.occurred_at.tzinfo is not None
        assert "p1@example.org" not in repr(events) and "Personne" not in repr(events)
    finally:
        instance.engine.dispose()


def test_on_event_registration_runs_after_commit_and_failures_are_contained(
        kit: RegionKit) -> None:
    broken = LISTENER.replace(
        "    EVENTS.append((region.slug, registration))",
        "    raise RuntimeError(f'listener down after {registration.status}')")
    lot = kit.region("lot", plugins={"listener.py": broken})
    instance = kit.instance([lot])
    try:
        event_id = _meetup(instance, "lot", capacity=3)
        with TestClient(create_app(instance)) as client:
            result = _sign_up(client, event_id, 1)
        assert result["status"] == "confirmed"
        with Session(instance.engine) as session:
            assert session.get(Registration, result["id"]) is not None  # committed anyway
        [failure] = instance.plugins.records["lot.listener"].failures
        assert failure.hook == "on_event_registration" and failure.region == "lot"
        assert failure.message == "RuntimeError: listener down after confirmed"
    finally:
        instance.engine.dispose()


def test_the_payload_is_frozen_and_takes_no_personal_field() -> None:
    payload = EventRegistration(meetup_id=1, registration_id=2, member_id=None,
                                status="promoted", occurred_at=dt.datetime.now(dt.UTC))
    with pytest.raises(ValidationError):
        payload.status = "cancelled"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        EventRegistration.model_validate({
            "meetup_id": 1, "registration_id": 2, "status": "confirmed",
            "occurred_at": dt.datetime.now(dt.UTC), "guest_email": "x@example.org"})
