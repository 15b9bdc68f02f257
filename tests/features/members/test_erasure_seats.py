"""Erasing a member gives back their seats to come, whoever erases (the staff through the API
or the page, the retention purge): sign-ups to meetups not started are cancelled (the first
person waiting gets the place and is told by e-mail), desk bookings from today on are
cancelled; past sign-ups and bookings stay, tied to the anonymised record, for the figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from accounts_kit import World, world
from accounts_kit import sign_in_world as sign_in
from meetups_kit import Inbox, deliver
from meetups_kit import smtp as smtp
from sqlmodel import Session, select

from campagne.features.meetups.models import Meetup, Registration
from campagne.features.meetups.rules import region_id_of
from campagne.features.spaces import bookings
from campagne.features.spaces.models import Booking, BookingSlot, Space
from campagne.models import Member, MemberStatus
from campagne.retention import purge

FUTURE = dt.datetime(2999, 6, 1, 16, 30, tzinfo=dt.UTC)
PAST = dt.datetime(2001, 3, 8, 17, 30, tzinfo=dt.UTC)
FAR_DAY, PAST_DAY = dt.date(2999, 1, 4), dt.date(2001, 1, 3)


def meetup(session: Session, starts: dt.datetime, name: str, capacity: int) -> int:
    """A Gers meetup starting at ``starts``."""
    row = Meetup(region_id=region_id_of(session, "gers"), uid=f"{name}@test.invalid",
                 title=name, starts_at=starts, ends_at=starts + dt.timedelta(hours=2),
                 place="Auch", capacity=capacity)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def sign_up(session: Session, meetup_id: int, status: str, *, member_id: int | None = None,
            guest: str | None = None, attended: bool | None = None) -> int:
    """A sign-up stored as it stands."""
    row = Registration(meetup_id=meetup_id, member_id=member_id, status=status,
                       guest_name=guest, guest_email=f"{guest}@example.org" if guest else None,
                       attended=attended)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def holdings(w: World) -> tuple[int, dict[str, int]]:
    """A Gers member without an account who holds: the only place of a meetup to come (a
    guest waiting behind), a place on the waiting list of another, a place at a past meetup
    they attended, the only desk of a space on a far day, and a desk on a past day."""
    with Session(w.instance.engine) as session:
        member = session.exec(select(Member).where(
            Member.region_id == region_id_of(session, "gers"),
            Member.id != w.gers_member)).first()
        assert member is not None and member.id is not None
        member.status, member.left_on = MemberStatus.LEFT.value, dt.date(2001, 1, 1)
        full, other, past = (meetup(session, FUTURE, "full", 1),
                             meetup(session, FUTURE + dt.timedelta(days=1), "other", 1),
                             meetup(session, PAST, "past", 5))
        space = Space(region_id=member.region_id, name="Bureau", commune="Auch", seats=1)
        session.add_all([member, space])
        session.flush()
        assert space.id is not None
        rows = {
            "full": full, "space": space.id,
            "mine": sign_up(session, full, "confirmed", member_id=member.id),
            "waiting": sign_up(session, full, "waitlisted", guest="waiting"),
            "holder": sign_up(session, other, "confirmed", guest="holder"),
            "queued": sign_up(session, other, "waitlisted", member_id=member.id),
            "attended": sign_up(session, past, "confirmed", member_id=member.id,
                                attended=True)}
        for name, day in (("desk", FAR_DAY), ("used_desk", PAST_DAY)):
            booking = Booking(space_id=space.id, day=day, slot=BookingSlot.DAY.value,
                              member_id=member.id)
            session.add(booking)
            session.flush()
            rows[name] = booking.id or 0
        session.commit()
        return member.id, rows


def erase(w: World, how: str, member_id: int) -> None:
    """Erase the member as the staff do it (API or page), or by the retention purge."""
    if how == "api":
        answer = w.client.post(f"/api/v1/regions/gers/members/{member_id}/erase",
                               headers=w.headers("staff_gers"))
        assert answer.status_code == 200 and answer.json()["erased"]
    elif how == "page":
        csrf = sign_in(w, "staff_gers")
        asked = w.client.post(f"/gers/staff/members/{member_id}/erase", data={"csrf": csrf})
        assert asked.status_code == 200 and 'name="confirm" value="yes"' in asked.text
        answer = w.client.post(f"/gers/staff/members/{member_id}/erase",
                               data={"csrf": csrf, "confirm": "yes"}, follow_redirects=False)
        assert answer.status_code == 303
    else:
        with Session(w.instance.engine) as session:
            purged = purge(session, w.instance, dry_run=False)
            assert member_id in {item.member_id for item in purged}


@pytest.mark.parametrize("how", ["api", "page", "purge"])
def test_erasure_gives_back_the_seats_to_come(tmp_path: Path, database_url: str, smtp: Inbox,
                                              how: str) -> None:
    with world(tmp_path, database_url) as w:
        member_id, ids = holdings(w)
        erase(w, how, member_id)
        with Session(w.instance.engine) as session:
            status = {name: row.status for name in ("mine", "waiting", "holder", "queued",
                                                    "attended")
                      if (row := session.get(Registration, ids[name])) is not None}
            assert status == {"mine": "cancelled", "waiting": "confirmed",
                              "holder": "confirmed", "queued": "cancelled",
                              "attended": "confirmed"}
            past = session.get(Registration, ids["attended"])
            assert past is not None and (past.member_id, past.attended) == (member_id, True)
            desk, used = (session.get(Booking, ids[name]) for name in ("desk", "used_desk"))
            assert desk is not None and desk.cancelled_at is not None
            assert used is not None and used.cancelled_at is None and used.member_id == member_id
            # the desk is free again: someone else takes it
            bookings.book(session, ids["space"], FAR_DAY, BookingSlot.DAY, member_id=None,
                          guest_name="Nouvelle", booked_by_id=None, horizon_days=400_000)
            session.commit()
        deliver(w.instance)
        told = smtp.to("waiting@example.org")
        assert len(told) == 1 and told[0]["Subject"].startswith(("Une place", "A place"))
        assert smtp.to("holder@example.org") == []
