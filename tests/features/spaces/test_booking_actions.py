"""Booking a desk and cancelling a booking are one use case each
(``campagne.features.spaces.booking_actions``): the API and the member's pages leave the
same trace in the audit trail, on both backends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from accounts_kit import World, world
from fastapi.testclient import TestClient
from spaces_kit import sign_in
from sqlmodel import Session, col, select

from campagne.auth.models import AuditEvent
from campagne.features.spaces.bookings import today

API = "/api/v1/regions/gers/spaces"


@pytest.fixture
def w(tmp_path: Path, database_url: str) -> Iterator[World]:
    """The reference regions with demo data and one account per role, on each backend."""
    with world(tmp_path, database_url) as built:
        yield built


def trail(w: World, since: int) -> list[dict[str, Any]]:
    """The bookings' audit entries after event ``since``, the booking's id left out."""
    with Session(w.instance.engine) as session:
        rows = session.exec(select(AuditEvent).where(
            col(AuditEvent.id) > since, col(AuditEvent.target).startswith("booking:"))
            .order_by(col(AuditEvent.id))).all()
    return [{"action": row.action, "actor": row.actor_email, "region": row.region_slug,
             "address": row.address, "detail": row.detail,
             "target": row.target.split(":")[0] if row.target else None} for row in rows]


def last_event(w: World) -> int:
    """The id of the latest audit event."""
    with Session(w.instance.engine) as session:
        rows = session.exec(select(AuditEvent.id).order_by(col(AuditEvent.id).desc())).all()
    return int(rows[0] or 0) if rows else 0


def test_api_and_pages_record_the_same_booking_and_cancellation(w: World) -> None:
    api = TestClient(w.client.app)
    created = api.post(API, headers=w.headers("staff_gers"), json={
        "name": "Bureau du journal", "commune": "Auch", "seats": 1})
    assert created.status_code == 201, created.text
    space = created.json()["id"]
    day = (today() + dt.timedelta(days=2)).isoformat()

    start = last_event(w)
    booked = api.post(f"{API}/{space}/bookings", headers=w.headers("member"),
                      json={"day": day, "slot": "morning"})
    assert booked.status_code == 201, booked.text
    cancelled = api.post(f"{API}/{space}/bookings/{booked.json()['id']}/cancel",
                         headers=w.headers("member"))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    through_api = trail(w, start)

    start = last_event(w)
    csrf = sign_in(w, "member")
    page = w.client.post("/account/bookings", follow_redirects=False, data={
        "csrf": csrf, "space_id": space, "day": day, "slot": "morning"})
    assert page.status_code == 303 and "error" not in page.headers["location"]
    mine = api.get("/api/v1/me/bookings", headers=w.headers("member")).json()
    booking = next(item["id"] for item in mine
                   if item["space_id"] == space and item["status"] == "confirmed")
    gone = w.client.post(f"/account/bookings/{booking}/cancel", follow_redirects=False,
                         data={"csrf": csrf})
    assert gone.status_code == 303
    through_pages = trail(w, start)

    assert [entry["action"] for entry in through_api] == ["book", "cancel"]
    assert through_api[0]["detail"] == {"space_id": space, "day": day, "slot": "morning"}
    assert through_pages == through_api
