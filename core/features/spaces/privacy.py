"""What the desk bookings hold of a person, for the GDPR hooks: the bookings in a member's
export, the days an erased member gives back, and the guests' names forgotten after their
period (three months after the day, as for meetup guests).

An erased member's bookings of days to come are cancelled (the desk is free again); past
ones stay, tied to the anonymised record, so that the occupancy figures do not change."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col, select

from campagne.features.meetups.privacy import ERASED_GUEST, GUEST_DAYS
from campagne.features.spaces import bookings
from campagne.features.spaces.models import Booking, Space
from campagne.models import iso_or_none, utc_now


def member_bookings(session: Session, member_id: int) -> list[dict[str, Any]]:
    """The member's desk bookings, cancelled ones included, oldest first."""
    rows = session.exec(
        select(Booking, Space).join(Space, col(Space.id) == col(Booking.space_id))
        .where(Booking.member_id == member_id).order_by(col(Booking.id))).all()
    return [{"space_id": space.id, "space": space.name, "commune": space.commune,
             "day": iso_or_none(booking.day), "slot": booking.slot,
             "booked_at": iso_or_none(booking.created_at),
             "cancelled_at": iso_or_none(booking.cancelled_at)}
            for booking, space in rows]


def release_member_desks(session: Session, member_id: int, now: dt.datetime | None = None
                         ) -> int:
    """Cancel the member's bookings of days from ``now``'s day (programme time) on; return
    how many (the caller commits)."""
    first_day = (now or utc_now()).astimezone(bookings.PROGRAMME_ZONE).date()
    released = 0
    for booking in session.exec(select(Booking).where(
            Booking.member_id == member_id, col(Booking.cancelled_at).is_(None),
            col(Booking.day) >= first_day)).all():
        released += bookings.cancel(session, booking)
    return released


def forget_past_desk_guests(session: Session, today: dt.date | None = None,
                            days: int = GUEST_DAYS, region_id: int | None = None) -> int:
    """Blank the guests' names on bookings (of ``region_id``'s spaces, or all) of days
    ``days`` ago or more; return how many bookings were concerned (the caller commits)."""
    limit = (today or utc_now().date()) - dt.timedelta(days=days)
    conditions = [col(Booking.day) <= limit, col(Booking.member_id).is_(None),
                  col(Booking.guest_name).is_not(None), col(Booking.guest_name) != ERASED_GUEST]
    if region_id is not None:
        conditions.append(col(Booking.space_id).in_(
            select(Space.id).where(Space.region_id == region_id)))
    result = cast(CursorResult[Any], session.execute(
        update(Booking).where(*conditions).values(guest_name=ERASED_GUEST)))
    return int(result.rowcount or 0)
