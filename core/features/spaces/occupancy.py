"""Desk occupancy for the statistics: booked and available half days per space.

Definitions (docs/operations.md, "Occupancy"):

- a **half day** is a morning or an afternoon of one desk; a ``day`` booking counts two,
  a ``morning`` or ``afternoon`` booking one; cancelled bookings do not count;
- **available half days** of a space = seats × 2 × the calendar days of the period during
  which the space was offered: from the day it was created (or the start of the period, if
  later) to the end of the period, or to the day it was closed (``active`` false: its last
  change) if earlier;
- **booked half days** are counted on the same days;
- the region's **occupancy** is the sum of booked over the sum of available half days.

Counts of half days, not of people: no figure here says who booked."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from campagne.features.spaces.bookings import halves
from campagne.features.spaces.models import Booking, Space
from campagne.models import Region


@dataclass(frozen=True)
class SpaceOccupancy:
    """One space's half days over a period."""

    space_id: int
    name: str
    commune: str
    booked_half_days: int
    available_half_days: int

    @property
    def share(self) -> float | None:
        """Booked over available (``None`` when nothing was available)."""
        if not self.available_half_days:
            return None
        return self.booked_half_days / self.available_half_days


def _offered(space: Space, start: dt.date | None, end: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day the space was offered within the period."""
    first = space.created_at.date()
    if start is not None:
        first = max(first, start)
    last = end if space.active else min(end, space.updated_at.date())
    return first, last


def space_occupancy(session: Session, region_slug: str, start: dt.date | None,
                    end: dt.date) -> list[SpaceOccupancy]:
    """Booked and available half days of each space of the region (active or not; the
    days it opens only)
    between ``start`` (``None``: since each space was created) and ``end``, both included;
    by commune and name."""
    spaces = session.exec(
        select(Space).join(Region, col(Region.id) == col(Space.region_id))
        .where(Region.slug == region_slug)
        .order_by(col(Space.commune), col(Space.name))).all()
    result = []
    for space in spaces:
        assert space.id is not None
        first, last = _offered(space, start, end)
        days = sum(1 for offset in range((last - first).days + 1)
                   if space.open_on(first + dt.timedelta(days=offset)))
        booked = _booked(session, space.id, first, last) if days else 0
        result.append(SpaceOccupancy(space.id, space.name, space.commune, booked,
                                     space.seats * 2 * days))
    return result


def _booked(session: Session, space_id: int, first: dt.date, last: dt.date) -> int:
    rows = session.exec(
        select(Booking.slot, func.count())
        .where(Booking.space_id == space_id, col(Booking.cancelled_at).is_(None),
               col(Booking.day) >= first, col(Booking.day) <= last)
        .group_by(col(Booking.slot))).all()
    counted: Counter[str] = Counter()
    for slot, count in rows:
        counted[slot] += int(count) * len(halves(slot))
    return sum(counted.values())


def region_occupancy(session: Session, region_slug: str, start: dt.date | None,
                     end: dt.date) -> float | None:
    """The region's share of booked half days (``None`` when it offers no space in the
    period)."""
    spaces = space_occupancy(session, region_slug, start, end)
    available = sum(item.available_half_days for item in spaces)
    if not available:
        return None
    return sum(item.booked_half_days for item in spaces) / available
