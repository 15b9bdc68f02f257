"""The workspaces' figure in the region's statistics: desk occupancy, supplied to the
statistics engine through the hook ``operations_figures`` (definition: docs/statistics.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func
from sqlmodel import Session, col, select

from campagne.features.spaces.models import Booking, BookingSlot, Space
from campagne.stats import disclosure
from campagne.stats.operations import unavailable, weekdays
from campagne.stats.period import Period
from campagne.stats.schema import Measure

HALF_DAYS = {BookingSlot.DAY.value: 2, BookingSlot.MORNING.value: 1,
             BookingSlot.AFTERNOON.value: 1}


def desk_occupancy(session: Session, region_id: int, period: Period,
                   threshold: int) -> Measure:
    """Half-days booked (not cancelled, Monday to Friday) over the half-days the region's
    active spaces offer in the period (two per seat and weekday the space opens). Without
    a start, the period begins on the first day booked."""
    spaces = session.exec(select(Space.id, Space.seats, Space.opening_days).where(
        Space.region_id == region_id, col(Space.active).is_(True))).all()
    if not spaces:
        return unavailable("share")
    booked = select(col(Booking.day), col(Booking.slot), col(Booking.member_id),
                    col(Booking.guest_name)).where(
        col(Booking.space_id).in_([space for space, _, _ in spaces]),
        col(Booking.cancelled_at).is_(None), col(Booking.day) <= period.end)
    first = period.start
    if first is None:
        first = session.exec(select(func.min(booked.subquery().c.day))).one()
    else:
        booked = booked.where(col(Booking.day) >= first)
    offered = 2 * sum(seats * weekdays(first, period.end, opening_days)
                      for _, seats, opening_days in spaces) if first is not None else 0
    if offered == 0:
        return unavailable("share")
    rows = [row for row in session.exec(booked).all() if row[0].weekday() < 5]
    half_days = sum(HALF_DAYS.get(slot, 0) for _, slot, _, _ in rows)
    people = len(_bookers(rows))
    if disclosure.is_sensitive(people, threshold):
        return Measure(value=None, unit="share", suppressed=True)
    # Seats cut after bookings were made can leave more booked than offered: a share stays <= 1.
    return Measure(value=min(1.0, round(half_days / offered, 3)), unit="share")


def _bookers(rows: Iterable[tuple[dt.date, str, int | None, str | None]]) -> set[str]:
    """Distinct people behind bookings: members by id, guests by name."""
    return {f"member:{member}" if member is not None else f"guest:{(guest or '').lower()}"
            for _, _, member, guest in rows}
