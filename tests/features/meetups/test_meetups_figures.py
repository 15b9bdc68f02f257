"""What the meetups keep for the statistics (counts only) and how long guests' names and
addresses are kept, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlmodel import Session, select

from campagne.features.meetups.models import Meetup, Registration
from campagne.features.meetups.privacy import ERASED_GUEST, forget_past_guests
from campagne.features.meetups.views import MeetupFigures, meetup_figures
from campagne.models import Member, Region
from campagne.taxonomy import SECTORS
from campagne.testing import RegionKit

NOW = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)


def _meetup(session: Session, region_id: int, days_ago: int, capacity: int,
            cancelled: bool = False) -> int:
    start = NOW - dt.timedelta(days=days_ago)
    meetup = Meetup(region_id=region_id, uid=f"{uuid.uuid4().hex}@test.invalid", title="Club",
                    starts_at=start, ends_at=start + dt.timedelta(hours=2), place="Cahors",
                    capacity=capacity, cancelled_at=start if cancelled else None)
    session.add(meetup)
    session.flush()
    assert meetup.id is not None
    return meetup.id


def test_figures_count_and_guests_are_forgotten_after_three_months(db_kit: RegionKit) -> None:
    instance = db_kit.instance([db_kit.region("lot")])
    try:
        with Session(instance.engine) as session:
            region = session.exec(select(Region).where(Region.slug == "lot")).one()
            assert region.id is not None
            person = Member(region_id=region.id, first_name="Ada", last_name="Essai",
                            sector_slug=SECTORS[0].slug)
            session.add(person)
            session.flush()
            member = person.id
            old = _meetup(session, region.id, 120, capacity=3)
            recent = _meetup(session, region.id, 10, capacity=5)
            _meetup(session, region.id, 40, capacity=8, cancelled=True)
            rows = [
                Registration(meetup_id=old, member_id=member, status="confirmed", attended=True),
                Registration(meetup_id=old, guest_name="Ancien Invité",
                             guest_email="ancien@example.org", status="confirmed",
                             attended=False),
                Registration(meetup_id=old, guest_name="Attente", guest_email="w@example.org",
                             status="waitlisted"),
                Registration(meetup_id=recent, guest_name="Récent", guest_email="r@example.org",
                             status="confirmed", attended=True),
                Registration(meetup_id=recent, guest_name="Parti", guest_email="p@example.org",
                             status="cancelled"),
            ]
            session.add_all(rows)
            session.commit()
            before = meetup_figures(session, region.id, None, NOW)
            assert before == MeetupFigures(held=2, cancelled=1, places_offered=8,
                                           confirmed_sign_ups=3, guest_sign_ups=2,
                                           attended=2, attendance_recorded=3)
            recent_only = meetup_figures(session, region.id, NOW - dt.timedelta(days=30), NOW)
            assert (recent_only.held, recent_only.confirmed_sign_ups) == (1, 1)

            assert forget_past_guests(session, NOW) == 2
            session.commit()
            kept = {r.guest_email for r in session.exec(select(Registration)).all()}
            assert kept == {None, "r@example.org", "p@example.org"}
            names = {r.guest_name for r in session.exec(
                select(Registration).where(Registration.meetup_id == old))}
            assert names == {None, ERASED_GUEST}
            assert meetup_figures(session, region.id, None, NOW) == before
            assert forget_past_guests(session, NOW) == 0
    finally:
        instance.engine.dispose()
