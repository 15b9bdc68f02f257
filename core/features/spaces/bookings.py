"""Desk bookings: the rules (half days, capacity, duplicates, horizon, opening days) and
the counts of seats left. A ``day`` booking takes a seat in the morning and in the afternoon; the
capacity of a space is counted per half day and is never exceeded, however many requests
arrive at once (``campagne.operations.locking``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from campagne.features.spaces.models import Booking, BookingSlot, Space
from campagne.models import utc_now
from campagne.operations.locking import lock_row

HALVES = (BookingSlot.MORNING.value, BookingSlot.AFTERNOON.value)
PROGRAMME_ZONE = ZoneInfo("Europe/Paris")
AVAILABILITY_DAYS = 14


class BookingRefused(Exception):
    """A booking that breaks a rule: ``status`` is the HTTP answer (409 or 422), ``code``
    names the rule (past, horizon, closed, closed_day, full, duplicate), ``field`` the input
    at fault."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def halves(slot: str) -> tuple[str, ...]:
    """The half days a slot takes (``day``: both)."""
    return HALVES if slot == BookingSlot.DAY.value else (slot,)


def today() -> dt.date:
    """Today in the programmes' time zone (a booking for an earlier day is refused)."""
    return dt.datetime.now(PROGRAMME_ZONE).date()


@dataclass(frozen=True)
class DayLeft:
    """Seats left on one day, per half day (counts only: never who booked)."""

    day: dt.date
    morning: int
    afternoon: int
    open: bool = True


def taken_by_half(session: Session, space_id: int, first: dt.date, last: dt.date
                  ) -> Counter[tuple[dt.date, str]]:
    """Seats taken per (day, half day) between ``first`` and ``last`` (both included)."""
    rows = session.exec(
        select(col(Booking.day), col(Booking.slot), func.count())
        .where(Booking.space_id == space_id, col(Booking.cancelled_at).is_(None),
               col(Booking.day) >= first, col(Booking.day) <= last)
        .group_by(col(Booking.day), col(Booking.slot))).all()
    taken: Counter[tuple[dt.date, str]] = Counter()
    for day, slot, count in rows:
        for half in halves(slot):
            taken[(day, half)] += int(count)
    return taken


def availability(session: Session, space: Space, first: dt.date | None = None,
                 days: int = AVAILABILITY_DAYS) -> list[DayLeft]:
    """Seats left per day and half day for ``days`` days from ``first`` (today)."""
    assert space.id is not None
    first = first or today()
    last = first + dt.timedelta(days=days - 1)
    taken = taken_by_half(session, space.id, first, last)
    return [DayLeft(day, max(space.seats - taken[(day, HALVES[0])], 0),
                    max(space.seats - taken[(day, HALVES[1])], 0), space.open_on(day))
            for day in (first + dt.timedelta(days=n) for n in range(days))]


def check_day(day: dt.date, horizon_days: int) -> None:
    """Refuse a day in the past or beyond the booking horizon (422)."""
    if day < today():
        raise BookingRefused(422, "past", "This day is in the past.", "day")
    if day > today() + dt.timedelta(days=horizon_days):
        raise BookingRefused(422, "horizon", f"Bookings open {horizon_days} days ahead at most.",
                             "day")


def book(session: Session, space_id: int, day: dt.date, slot: BookingSlot, *,
         member_id: int | None, guest_name: str | None, booked_by_id: int | None,
         horizon_days: int) -> Booking:
    """Book a seat, the space row locked for the whole check-and-insert; the caller
    commits (which releases the lock). Raises ``BookingRefused``."""
    check_day(day, horizon_days)
    space = lock_row(session, Space, space_id)
    if space is None or not space.active:
        raise BookingRefused(422, "closed", "This space is closed to bookings.",
                             "space_id")
    if not space.open_on(day):
        raise BookingRefused(422, "closed_day", "This space is closed on that day of the "
                                  "week: choose a day it opens.", "day")
    if _already_booked(session, space_id, day, slot, member_id, guest_name):
        raise BookingRefused(409, "duplicate", "This person already has a desk in this space "
                                  "for that day or half day.")
    taken = taken_by_half(session, space_id, day, day)
    if any(taken[(day, half)] >= space.seats for half in halves(slot.value)):
        raise BookingRefused(409, "full", "This space is full for that day or half day: "
                                  "no seat is left.")
    booking = Booking(space_id=space_id, day=day, slot=slot.value, member_id=member_id,
                      guest_name=guest_name, booked_by_id=booked_by_id)
    session.add(booking)
    session.flush()
    return booking


def _already_booked(session: Session, space_id: int, day: dt.date, slot: BookingSlot,
                    member_id: int | None, guest_name: str | None) -> bool:
    overlapping = [BookingSlot.DAY.value, *halves(slot.value)]
    query = select(func.count()).where(
        Booking.space_id == space_id, Booking.day == day,
        col(Booking.cancelled_at).is_(None), col(Booking.slot).in_(overlapping))
    if member_id is not None:
        query = query.where(Booking.member_id == member_id)
    elif guest_name:
        query = query.where(func.lower(Booking.guest_name) == guest_name.lower())
    else:
        return False
    return session.exec(query).one() > 0


def cancel(session: Session, booking: Booking) -> bool:
    """Cancel a booking (its seat is free again); ``False`` if it already was."""
    if booking.cancelled_at is not None:
        return False
    booking.cancelled_at = utc_now()
    session.add(booking)
    return True


def region_booking(session: Session, region_id: int, space_id: int, booking_id: int
                   ) -> Booking | None:
    """A booking of that space, if the space belongs to the region."""
    return session.exec(
        select(Booking).join(Space, col(Space.id) == col(Booking.space_id))
        .where(Booking.id == booking_id, Booking.space_id == space_id,
               Space.region_id == region_id)).first()


def member_bookings(session: Session, member_id: int, since: dt.date | None = None
                    ) -> list[tuple[Booking, Space]]:
    """A member's bookings from ``since`` (all when ``None``), soonest first, with their
    spaces (cancelled ones included)."""
    query = (select(Booking, Space).join(Space, col(Space.id) == col(Booking.space_id))
             .where(Booking.member_id == member_id))
    if since is not None:
        query = query.where(col(Booking.day) >= since)
    rows = session.exec(query.order_by(col(Booking.day), col(Booking.slot))).all()
    return [(booking, space) for booking, space in rows]


def day_bookings(session: Session, space_id: int, day: dt.date) -> list[Booking]:
    """Every booking of a space on a day (cancelled ones last)."""
    rows = session.exec(select(Booking).where(Booking.space_id == space_id, Booking.day == day)
                        .order_by(col(Booking.id))).all()
    return sorted(rows, key=lambda booking: booking.cancelled_at is not None)
