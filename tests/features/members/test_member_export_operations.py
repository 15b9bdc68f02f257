"""A member's data export holds their meetup sign-ups and desk bookings, and only theirs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from accounts_kit import world
from sqlmodel import Session, select

from campagne.features.meetups.models import Meetup, Registration
from campagne.features.spaces.models import Booking, Space
from campagne.models import Member


def test_export_lists_own_sign_ups_and_bookings(tmp_path: Path, database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        with Session(w.instance.engine) as session:
            member = session.get(Member, w.gers_member)
            assert member is not None
            other = session.exec(select(Member.id).where(
                Member.region_id == member.region_id, Member.id != member.id)).first()
            start = dt.datetime(2031, 3, 4, 17, 30, tzinfo=dt.UTC)
            meetup = Meetup(region_id=member.region_id, uid="export-test@campagne",
                            title="Rencontre export", starts_at=start,
                            ends_at=start + dt.timedelta(hours=2), place="Auch", capacity=5)
            space = Space(region_id=member.region_id, name="Bureau export", commune="Auch",
                          seats=3)
            session.add_all([meetup, space])
            session.flush()
            session.add_all([
                Registration(meetup_id=meetup.id, member_id=member.id, status="confirmed"),
                Registration(meetup_id=meetup.id, member_id=other, status="waitlisted"),
                Registration(meetup_id=meetup.id, guest_name="Invitée Secrète",
                             guest_email="invitee@example.org", status="confirmed"),
                Booking(space_id=space.id, day=dt.date(2031, 3, 5), slot="morning",
                        member_id=member.id),
                Booking(space_id=space.id, day=dt.date(2031, 3, 6), slot="day",
                        member_id=other)])
            session.commit()
        export = w.client.get("/api/v1/me/export", headers=w.headers("member"))
        assert export.status_code == 200
        data = export.json()
        # The demo gives the member sign-ups and bookings of their own: look at these ones.
        assert [(r["meetup"], r["status"]) for r in data["meetup_registrations"]
                if r["meetup"] == "Rencontre export"] == [("Rencontre export", "confirmed")]
        assert [(b["space"], b["day"], b["slot"]) for b in data["desk_bookings"]
                if b["space"] == "Bureau export"] == [("Bureau export", "2031-03-05", "morning")]
        assert "Invitée Secrète" not in export.text and "2031-03-06" not in export.text
