"""How long the names of guests on desk bookings are kept: until three months after the
day booked (as for meetup guests), then they are blanked. The booking row stays, without
identity, so the occupancy figures do not change. Bookings of members follow their member
record (erasure, ``campagne purge``)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col

from campagne.features.meetups.retention import ERASED_GUEST, GUEST_DAYS
from campagne.features.spaces.models import Booking
from campagne.models import utc_now


def forget_past_desk_guests(session: Session, today: dt.date | None = None,
                            days: int = GUEST_DAYS) -> int:
    """Blank the guests' names on bookings of days ``days`` ago or more; return how many
    bookings were concerned (the caller commits)."""
    limit = (today or utc_now().date()) - dt.timedelta(days=days)
    result = cast(CursorResult[Any], session.execute(
        update(Booking)
        .where(col(Booking.day) <= limit, col(Booking.member_id).is_(None),
               col(Booking.guest_name).is_not(None), col(Booking.guest_name) != ERASED_GUEST)
        .values(guest_name=ERASED_GUEST)))
    return int(result.rowcount or 0)
