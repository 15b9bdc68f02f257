"""Erasing a member gives back the seats they held: their sign-ups to meetups that have not
started and their desk bookings from today on are cancelled as they would cancel them (the
first person waiting gets the place). Past ones stay, tied to the anonymised record, so that
attendance and occupancy figures do not change."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from campagne.features.meetups.models import Meetup, Registration
from campagne.features.meetups.rules import LIVE, Notice, cancel_registration
from campagne.features.spaces import bookings
from campagne.features.spaces.models import Booking
from campagne.models import utc_now


def release_seats(session: Session, member_id: int, now: dt.datetime | None = None
                  ) -> list[Notice]:
    """Cancel the member's live sign-ups to meetups starting after ``now`` and their
    bookings of days from ``now``'s day (programme time) on; return the notices of the
    sign-ups (cancellations, then promotions) to send after the commit. Meetups are locked
    one by one in id order. The caller commits."""
    now = now or utc_now()
    rows = session.exec(
        select(Registration.id, Registration.meetup_id)
        .join(Meetup, col(Meetup.id) == col(Registration.meetup_id))
        .where(Registration.member_id == member_id, col(Registration.status).in_(LIVE),
               col(Meetup.starts_at) > now)
        .order_by(col(Registration.meetup_id), col(Registration.id))).all()
    notices: list[Notice] = []
    for registration_id, meetup_id in rows:
        assert registration_id is not None
        notices += cancel_registration(session, meetup_id, registration_id, now)[1]
    first_day = now.astimezone(bookings.PROGRAMME_ZONE).date()
    for booking in session.exec(select(Booking).where(
            Booking.member_id == member_id, col(Booking.cancelled_at).is_(None),
            col(Booking.day) >= first_day)).all():
        bookings.cancel(session, booking)
    return notices
