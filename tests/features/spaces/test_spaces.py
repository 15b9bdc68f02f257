"""Offices, coworking spaces and desk bookings on both backends: half days and whole days,
capacity (409 when full), duplicates, cancellation, past and far days (422), who may book
and cancel, staff management with version checks, audit of staff reads and changes, and
public pages and JSON that never show who booked."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from accounts_kit import EMAILS, World, sign_in, world
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from campagne.auth.models import AuditEvent
from campagne.features.spaces.bookings import today
from campagne.features.spaces.models import Booking, Space
from campagne.features.spaces.occupancy import region_occupancy, space_occupancy
from campagne.models import Member, Region

API = "/api/v1/regions/{}/spaces"


@pytest.fixture
def w(tmp_path: Path, database_url: str) -> Iterator[World]:
    """The reference regions with demo data and one account per role, on each backend."""
    with world(tmp_path, database_url) as built:
        yield built


def later(days: int) -> str:
    """An ISO day ``days`` from today."""
    return (today() + dt.timedelta(days=days)).isoformat()


def new_space(w: World, seats: int = 2, slug: str = "gers", role: str = "staff_gers",
              **fields: Any) -> dict[str, Any]:
    """A space added through the API by the region's staff."""
    body = {"name": "Bureau d'essai", "commune": "Auch", "seats": seats, **fields}
    answer = w.client.post(API.format(slug), json=body, headers=w.headers(role))
    assert answer.status_code == 201, answer.text
    space: dict[str, Any] = answer.json()
    return space


def book(w: World, space_id: int, day: str, slot: str, role: str = "staff_gers",
         slug: str = "gers", **person: Any) -> Any:
    """Post a booking as ``role``."""
    return w.client.post(f"{API.format(slug)}/{space_id}/bookings",
                         json={"day": day, "slot": slot, **person}, headers=w.headers(role))


def left(w: World, space_id: int, day: str) -> tuple[int, int]:
    """Seats left (morning, afternoon) on ``day``, from the public JSON."""
    detail = w.client.get(f"{API.format('gers')}/{space_id}").json()
    found = next(item for item in detail["availability"] if item["day"] == day)
    return found["morning"], found["afternoon"]


def audit_events(w: World, action: str, target_prefix: str) -> list[AuditEvent]:
    """Audit rows of ``action`` whose target starts with ``target_prefix``."""
    with Session(w.instance.engine) as session:
        return list(session.exec(select(AuditEvent).where(
            AuditEvent.action == action,
            col(AuditEvent.target).startswith(target_prefix))).all())


def test_half_days_and_whole_days_share_the_seats(w: World) -> None:
    space = new_space(w, seats=2)["id"]
    day = later(3)
    assert book(w, space, day, "morning", guest_name="A").status_code == 201
    assert book(w, space, day, "morning", guest_name="B").status_code == 201
    assert left(w, space, day) == (0, 2)
    full = book(w, space, day, "morning", guest_name="C")
    assert full.status_code == 409 and "full" in full.json()["detail"]
    whole = book(w, space, day, "day", guest_name="C")
    assert whole.status_code == 409, "a whole day needs a seat in the morning too"
    assert book(w, space, day, "afternoon", guest_name="C").status_code == 201
    assert book(w, space, day, "afternoon", guest_name="D").status_code == 201
    assert left(w, space, day) == (0, 0)
    other_day = later(4)
    assert book(w, space, other_day, "day", guest_name="E").status_code == 201
    assert left(w, space, other_day) == (1, 1)


def test_same_person_cannot_take_the_same_half_day_twice(w: World) -> None:
    space = new_space(w, seats=5)["id"]
    day = later(2)
    assert book(w, space, day, "morning", role="member").status_code == 201
    again = book(w, space, day, "morning", role="member")
    assert again.status_code == 409 and "already" in again.json()["detail"]
    assert book(w, space, day, "day", role="member").status_code == 409
    assert book(w, space, day, "afternoon", role="member").status_code == 201
    assert book(w, space, later(5), "day", guest_name="Jo").status_code == 201
    assert book(w, space, later(5), "afternoon", guest_name="jo").status_code == 409


def test_cancellation_frees_the_seat(w: World) -> None:
    space = new_space(w, seats=1)["id"]
    day = later(1)
    mine = book(w, space, day, "day", role="member")
    assert mine.status_code == 201
    assert book(w, space, day, "afternoon", guest_name="Ana").status_code == 409
    cancel = f"{API.format('gers')}/{space}/bookings/{mine.json()['id']}/cancel"
    assert w.client.post(cancel, headers=w.headers("reader_gers")).status_code == 403
    assert w.client.post(cancel, headers=w.headers("staff_orne")).status_code == 403
    answer = w.client.post(cancel, headers=w.headers("member"))
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
    assert left(w, space, day) == (1, 1)
    taken = book(w, space, day, "afternoon", guest_name="Ana")
    assert taken.status_code == 201
    # someone else's booking is unknown to the member (as a missing one); staff can cancel
    # it, with DELETE too
    path = f"{API.format('gers')}/{space}/bookings/{taken.json()['id']}"
    assert w.client.post(f"{path}/cancel", headers=w.headers("member")).status_code == 404
    assert w.client.delete(path, headers=w.headers("staff_gers")).status_code == 204
    assert left(w, space, day) == (1, 1)
    assert len(audit_events(w, "cancel", "booking:")) == 2


def test_past_far_and_closed_are_refused_with_422(w: World) -> None:
    space = new_space(w, seats=3)["id"]
    past = book(w, space, later(-1), "day", guest_name="Léa")
    assert past.status_code == 422 and past.json()["detail"].startswith("day:")
    horizon = w.instance.settings.booking_horizon_days
    far = book(w, space, later(horizon + 1), "day", guest_name="Léa")
    assert far.status_code == 422 and "ahead" in far.json()["detail"]
    assert book(w, space, later(horizon), "day", guest_name="Léa").status_code == 201
    assert book(w, space, later(0), "morning", guest_name="Léa").status_code == 201
    bad_slot = book(w, space, later(1), "evening", guest_name="Léa")
    assert bad_slot.status_code == 422 and "slot" in bad_slot.text
    closed = w.client.post(f"{API.format('gers')}/{space}/deactivate",
                           headers=w.headers("staff_gers"))
    assert closed.status_code == 200 and closed.json()["active"] is False
    refused = book(w, space, later(2), "day", guest_name="Léa")
    assert refused.status_code == 422 and "closed" in refused.json()["detail"]
    assert w.client.get(API.format("gers")).json() == [
        s for s in w.client.get(API.format("gers")).json() if s["id"] != space]


def test_who_may_book(w: World) -> None:
    gers_space = new_space(w, seats=4)["id"]
    orne_space = new_space(w, seats=4, slug="orne", role="staff_orne")["id"]
    day = later(6)
    assert book(w, gers_space, day, "day", role="reader_gers", guest_name="X").status_code == 403
    assert book(w, gers_space, day, "day", role="staff_orne", guest_name="X").status_code == 403
    assert book(w, orne_space, day, "day", role="member", slug="orne").status_code == 403
    assert book(w, gers_space, day, "day", role="member",
                guest_name="Someone else").status_code == 403
    nobody = book(w, gers_space, day, "day")
    assert nobody.status_code == 422 and "member_id" in nobody.json()["detail"]
    assert book(w, gers_space, day, "day", member_id=w.orne_member).status_code == 422
    both = book(w, gers_space, day, "day", member_id=w.gers_member, guest_name="X")
    assert both.status_code == 422
    assert book(w, gers_space, day, "day", member_id=w.gers_member).status_code == 201
    assert book(w, gers_space, day, "day", role="admin", guest_name="Invitée").status_code == 201
    assert book(w, 999_999, day, "day", guest_name="X").status_code == 404
    assert book(w, orne_space, day, "day", guest_name="X").status_code == 404  # Gers staff
    assert book(w, gers_space, day, "day", role="anonymous").status_code == 401


def test_member_lists_own_bookings(w: World) -> None:
    space = new_space(w, seats=4)["id"]
    booked = book(w, space, later(2), "morning", role="member").json()
    book(w, space, later(2), "afternoon", guest_name="Not mine")
    mine = w.client.get("/api/v1/me/bookings", headers=w.headers("member"))
    assert mine.status_code == 200
    ours = [item for item in mine.json() if item["space_id"] == space]
    assert [item["id"] for item in ours] == [booked["id"]]
    assert ours[0]["status"] == "confirmed" and ours[0]["region"] == "gers"
    assert "guest_name" not in ours[0] and "member_id" not in ours[0]
    assert w.client.get("/api/v1/me/bookings",
                        headers=w.headers("staff_gers")).status_code == 403


def test_staff_read_who_booked_and_it_is_audited(w: World) -> None:
    space = new_space(w, seats=4)["id"]
    day = later(3)
    book(w, space, day, "day", member_id=w.gers_member)
    book(w, space, day, "morning", guest_name="Invitée Dupuis")
    url = f"{API.format('gers')}/{space}/bookings?day={day}"
    assert w.client.get(url, headers=w.headers("staff_orne")).status_code == 403
    answer = w.client.get(url, headers=w.headers("reader_gers"))
    assert answer.status_code == 200
    people = {item["person"] for item in answer.json()}
    with Session(w.instance.engine) as session:
        member = session.get(Member, w.gers_member)
        assert member is not None
        assert people == {f"{member.first_name} {member.last_name}", "Invitée Dupuis"}
    reads = audit_events(w, "list", f"space:{space}:bookings")
    assert len(reads) == 1 and reads[0].actor_email == EMAILS["reader_gers"]
    assert reads[0].detail == {"day": day, "count": 2}
    assert len(audit_events(w, "book", "booking:")) >= 2


def test_public_json_and_pages_never_show_who_booked(w: World) -> None:
    space = new_space(w, seats=3, opening_hours="lun.-ven. 9 h - 17 h")["id"]
    day = later(1)
    book(w, space, day, "day", role="member")
    book(w, space, day, "morning", guest_name="Invitée Secrète")
    with Session(w.instance.engine) as session:
        member = session.get(Member, w.gers_member)
        assert member is not None and member.email
        personal = [member.email, member.last_name, "Invitée Secrète"]
    detail = w.client.get(f"{API.format('gers')}/{space}")
    assert detail.status_code == 200 and len(detail.json()["availability"]) == 14
    assert {"member_id", "guest_name", "person"}.isdisjoint(detail.text.replace('"', " ")
                                                            .split())
    pages = [f"/gers/espaces/{space}", f"/gers/spaces/{space}?lang=en", "/gers/espaces",
             "/gers/spaces", API.format("gers"), f"{API.format('gers')}/{space}"]
    for path in pages:
        answer = w.client.get(path)
        assert answer.status_code == 200, path
        assert not [p for p in personal if p in answer.text], path
    page = w.client.get(f"/gers/espaces/{space}?lang=fr").text
    assert "Postes libres" in page and "lun.-ven. 9 h - 17 h" in page
    english = w.client.get(f"/gers/spaces/{space}?lang=en").text
    assert "Desks left" in english
    assert 'href="/gers/espaces"' in w.client.get("/gers/?lang=fr").text
    assert 'href="/gers/spaces"' in w.client.get("/gers/?lang=en").text
    assert w.client.get("/gers/espaces/999999").status_code == 404


def test_demo_spaces_are_examples_with_illustrative_prices(w: World) -> None:
    gers = w.client.get(API.format("gers")).json()
    orne = w.client.get(API.format("orne")).json()
    assert gers and orne
    assert all(space["free_for_members"] and "exemple" in space["name"] for space in gers)
    assert all(not space["free_for_members"] and space["price_illustrative"]
               and "exemple" in space["name"] for space in orne)
    page = w.client.get("/orne/espaces").text
    assert "Chiffre illustratif" in page
    with Session(w.instance.engine) as session:
        for space in session.exec(select(Space)).all():
            rows = session.exec(select(Booking).where(Booking.space_id == space.id)).all()
            per_half: dict[tuple[dt.date, str], int] = {}
            for row in rows:
                for half in ("morning", "afternoon") if row.slot == "day" else (row.slot,):
                    per_half[(row.day, half)] = per_half.get((row.day, half), 0) + 1
            assert rows and max(per_half.values()) <= space.seats


def test_staff_manage_spaces_with_version_check(w: World) -> None:
    created = new_space(w, seats=2, broadband_mbps=100)
    url = f"{API.format('gers')}/{created['id']}"
    stale = w.client.patch(url, json={"version": 0, "seats": 3},
                           headers=w.headers("staff_gers"))
    assert stale.status_code == 409
    changed = w.client.patch(url, json={"version": created["version"], "seats": 3,
                                        "price_per_day_eur": 12, "free_for_members": False,
                                        "price_illustrative": True},
                             headers=w.headers("staff_gers"))
    assert changed.status_code == 200, changed.text
    assert changed.json()["seats"] == 3 and changed.json()["version"] == created["version"] + 1
    again = w.client.patch(url, json={"version": created["version"], "seats": 4},
                           headers=w.headers("admin"))
    assert again.status_code == 409, "the second writer with the old version loses"
    for body, field in (({"version": 2, "seats": 0}, "seats"),
                        ({"version": 2, "name": None}, "name"),
                        ({"version": 2, "region_id": 2}, "region_id")):
        invalid = w.client.patch(url, json=body, headers=w.headers("staff_gers"))
        assert invalid.status_code == 422 and field in invalid.text, body
    assert w.client.patch(url, json={"version": 2}, headers=w.headers(
        "reader_gers")).status_code == 403
    assert w.client.patch(f"{API.format('orne')}/{created['id']}", json={"version": 2},
                          headers=w.headers("staff_orne")).status_code == 404
    assert w.client.post(API.format("gers"), json={"name": "X", "commune": "Auch", "seats": 1},
                         headers=w.headers("reader_gers")).status_code == 403
    assert [e.detail["fields"] for e in audit_events(w, "update", f"space:{created['id']}")] \
        == [["free_for_members", "price_illustrative", "price_per_day_eur", "seats"]]
    assert audit_events(w, "create", f"space:{created['id']}")


def test_occupancy_counts_half_days(w: World) -> None:
    space_id = new_space(w, seats=2)["id"]
    with Session(w.instance.engine) as session:
        space = session.get(Space, space_id)
        assert space is not None
        first = today()
        space.created_at = dt.datetime.combine(first, dt.time(6), tzinfo=dt.UTC)
        session.add(space)
        session.add_all([
            Booking(space_id=space_id, day=first, slot="day", guest_name="A"),
            Booking(space_id=space_id, day=first, slot="morning", guest_name="B"),
            Booking(space_id=space_id, day=first + dt.timedelta(days=1), slot="afternoon",
                    guest_name="C", cancelled_at=dt.datetime.now(dt.UTC)),
            Booking(space_id=space_id, day=first + dt.timedelta(days=5), slot="day",
                    guest_name="D"),  # after the period
        ])
        session.commit()
        end = first + dt.timedelta(days=2)
        found = {item.space_id: item for item in space_occupancy(session, "gers", None, end)}
        mine = found[space_id]
        assert (mine.booked_half_days, mine.available_half_days) == (3, 2 * 2 * 3)
        assert mine.share == 0.25
        assert len(found) > 1, "the demo spaces are counted too"
        assert region_occupancy(session, "lot", None, end) is None
        share = region_occupancy(session, "gers", None, end)
        assert share is not None and 0 < share < 1
        space.opening_days = str(first.isoweekday())  # open on the first day only
        session.commit()
        mine = {item.space_id: item for item in space_occupancy(session, "gers", None, end)
                }[space_id]
        assert (mine.booked_half_days, mine.available_half_days) == (3, 2 * 2 * 1)
    stats = w.client.get("/api/v1/regions/gers/stats").json()["indicators"]["desk_occupancy"]
    assert stats["available"] is True and 0 <= stats["value"] <= 1


def test_member_books_and_cancels_on_the_pages(w: World) -> None:
    space = new_space(w, seats=1, name="Bureau des pages")["id"]
    client = TestClient(w.client.app, follow_redirects=False)
    csrf = sign_in(client, "member")
    page = client.get(f"/gers/espaces/{space}")
    assert 'action="/account/bookings"' in page.text
    assert page.headers["cache-control"] == "no-store"
    day = later(2)
    answer = client.post("/account/bookings", data={
        "csrf": csrf, "space_id": space, "day": day, "slot": "day"})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/account/")
    home = client.get("/account/").text
    assert "Bureau des pages" in home and "Votre poste est réservé" not in home
    assert "Bureau des pages" in client.get("/account/?booked=1").text
    again = client.post("/account/bookings", data={
        "csrf": csrf, "space_id": space, "day": day, "slot": "morning"})
    assert again.headers["location"] == f"/gers/espaces/{space}?error=duplicate#book"
    with Session(w.instance.engine) as session:
        booking = session.exec(select(Booking).where(Booking.space_id == space)).one()
    forged = client.post(f"/account/bookings/{booking.id}/cancel", data={"csrf": "wrong"})
    assert forged.status_code == 403
    cancelled = client.post(f"/account/bookings/{booking.id}/cancel", data={"csrf": csrf})
    assert cancelled.status_code == 303
    with Session(w.instance.engine) as session:
        assert session.get(Booking, booking.id).cancelled_at is not None  # type: ignore[union-attr]
    past = client.post("/account/bookings", data={
        "csrf": csrf, "space_id": space, "day": later(-2), "slot": "day"})
    assert past.headers["location"].endswith("?error=past#book")


def test_staff_pages_manage_spaces_and_bookings(w: World) -> None:
    client = TestClient(w.client.app, follow_redirects=False)
    csrf = sign_in(client, "staff_gers")
    assert client.get("/gers/staff/spaces").status_code == 200
    invalid = client.post("/gers/staff/spaces", data={
        "csrf": csrf, "name": "Tiers-lieu", "commune": "Auch", "seats": "0"})
    assert invalid.status_code == 422 and "seats" in invalid.text
    added = client.post("/gers/staff/spaces", data={
        "csrf": csrf, "name": "Tiers-lieu", "commune": "Auch", "seats": "1",
        "broadband_mbps": "300", "price_per_day_eur": "12,5", "price_illustrative": "on"})
    assert added.status_code == 303
    url = added.headers["location"]
    space_id = int(url.rsplit("/", 1)[1])
    with Session(w.instance.engine) as session:
        space = session.get(Space, space_id)
        assert space and space.price_per_day_eur == 12.5 and not space.free_for_members
        assert space.price_illustrative
    day = later(1)
    booked = client.post(f"{url}/bookings", data={
        "csrf": csrf, "day": day, "slot": "day", "member_id": str(w.gers_member)})
    assert booked.headers["location"].endswith("notice=booked")
    full = client.post(f"{url}/bookings", data={
        "csrf": csrf, "day": day, "slot": "morning", "guest_name": "Invité"})
    assert full.headers["location"].endswith("notice=full")
    foreign = client.post(f"{url}/bookings", data={
        "csrf": csrf, "day": day, "slot": "morning", "member_id": str(w.orne_member)})
    assert foreign.headers["location"].endswith("notice=person")
    page = client.get(f"{url}?day={day}")
    assert 'name="name" value="Tiers-lieu"' in page.text
    assert 'name="broadband_mbps" value="300"' in page.text
    with Session(w.instance.engine) as session:
        member = session.get(Member, w.gers_member)
        assert member is not None
        assert f"{member.first_name} {member.last_name}" in page.text
    assert audit_events(w, "list", f"space:{space_id}:bookings")
    stale = client.post(url, data={"csrf": csrf, "version": "0", "name": "Tiers-lieu",
                                   "commune": "Auch", "seats": "2"})
    assert stale.headers["location"].endswith("?conflict=1")
    saved = client.post(url, data={"csrf": csrf, "version": "1", "name": "Tiers-lieu",
                                   "commune": "Auch", "seats": "2", "free_for_members": "on"})
    assert saved.headers["location"] == url
    cancel = re.search(rf'action="({url}/bookings/\d+/cancel)"', page.text)
    assert cancel, "a cancel button per booking"
    asked = client.post(cancel.group(1), data={"csrf": csrf})  # first, a page asks
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in asked.text
    assert f"{member.first_name} {member.last_name}" in asked.text
    assert "Aucune réservation ce jour-là" not in client.get(f"{url}?day={day}").text
    cancelled = client.post(cancel.group(1), data={"csrf": csrf, "confirm": "yes"})
    assert cancelled.headers["location"] == f"{url}?day={day}"
    assert "Annulée" in client.get(f"{url}?day={day}&lang=fr").text
    asked = client.post(f"{url}/deactivate", data={"csrf": csrf})
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in asked.text
    with Session(w.instance.engine) as session:
        space = session.get(Space, space_id)
        assert space and space.active
    closed = client.post(f"{url}/deactivate", data={"csrf": csrf, "confirm": "yes"})
    assert closed.status_code == 303
    with Session(w.instance.engine) as session:
        space = session.get(Space, space_id)
        assert space and space.seats == 2 and space.free_for_members and not space.active
    reader = TestClient(w.client.app, follow_redirects=False)
    reader_csrf = sign_in(reader, "reader_gers")
    assert reader.get(url).status_code == 200
    assert reader.post(f"{url}/deactivate", data={"csrf": reader_csrf}).status_code == 403
    orne = TestClient(w.client.app, follow_redirects=False)
    sign_in(orne, "staff_orne")
    assert orne.get(url).status_code == 403
    assert orne.get(url.replace("/gers/", "/orne/")).status_code == 404


def test_region_ids_stay_apart(w: World) -> None:
    """A Gers booking id cannot be reached through an Orne space, nor the reverse."""
    gers_space = new_space(w, seats=2)["id"]
    booking = book(w, gers_space, later(1), "day", guest_name="Z").json()["id"]
    orne_space = new_space(w, seats=2, slug="orne", role="staff_orne")["id"]
    crossed = f"{API.format('orne')}/{orne_space}/bookings/{booking}/cancel"
    assert w.client.post(crossed, headers=w.headers("staff_orne")).status_code == 404
    with Session(w.instance.engine) as session:
        assert session.exec(select(Region.slug).join(
            Space, col(Space.region_id) == col(Region.id)).where(Space.id == orne_space)
        ).one() == "orne"
