"""Spaces of a region: look-ups scoped to the region, creation, changes with a version
check, and the API shapes of spaces and bookings."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col, select

from campagne.features.spaces.bookings import HALVES, availability, taken_by_half, today
from campagne.features.spaces.models import Booking, Space
from campagne.features.spaces.schemas import (
    BookingOut,
    DayLeftOut,
    SpaceDetail,
    SpaceFields,
    SpaceOut,
    SpaceUpdate,
    StaffBookingOut,
)
from campagne.i18n import gettext, ngettext
from campagne.models import Member, Region, utc_now
from campagne.operations.locking import lock_row


class VersionConflict(Exception):
    """The space changed since the caller read it."""


class SeatsBelowBookings(Exception):
    """Fewer seats asked than bookings already hold on half days to come: ``over`` lists
    those half days as (day, half, seats booked), soonest first."""

    def __init__(self, seats: int, over: list[tuple[dt.date, str, int]]) -> None:
        super().__init__(f"{seats} seats; booked beyond on {len(over)} half days")
        self.seats, self.over = seats, over

    @property
    def needed(self) -> int:
        """The fewest seats that keep every booking."""
        return max(count for _day, _half, count in self.over)

    def message(self) -> str:
        """What to tell the person, in the current language, naming the half days."""
        halves = {"morning": gettext("morning"), "afternoon": gettext("afternoon")}
        days = ", ".join(f"{day.isoformat()} {halves[half]} ({count})"
                         for day, half, count in self.over[:SHOWN])
        if len(self.over) > SHOWN:
            days += ", …"
        return ngettext(
            "Bookings already take more than %(num)s seat on %(days)s. Keep at least "
            "%(needed)s seats, or cancel bookings first.",
            "Bookings already take more than %(num)s seats on %(days)s. Keep at least "
            "%(needed)s seats, or cancel bookings first.",
            self.seats) % {"num": self.seats, "days": days, "needed": self.needed}


#: How many over-booked half days a refusal names.
SHOWN = 5


def region_id(session: Session, slug: str) -> int:
    """The database id of a served region."""
    found = session.exec(select(Region.id).where(Region.slug == slug)).one()
    assert found is not None
    return found


def region_spaces(session: Session, slug: str, *, active_only: bool = True) -> list[Space]:
    """A region's spaces by commune and name (open ones only, unless asked)."""
    query = (select(Space).join(Region, col(Region.id) == col(Space.region_id))
             .where(Region.slug == slug))
    if active_only:
        query = query.where(col(Space.active).is_(True))
    return list(session.exec(query.order_by(col(Space.commune), col(Space.name))).all())


def region_space(session: Session, slug: str, space_id: int) -> Space | None:
    """A space of the region (``None`` for another region's id)."""
    return session.exec(select(Space).join(Region, col(Region.id) == col(Space.region_id))
                        .where(Region.slug == slug, Space.id == space_id)).first()


def create_space(session: Session, slug: str, fields: SpaceFields) -> Space:
    """Add a space to the region (the caller commits)."""
    space = Space(region_id=region_id(session, slug), **fields.model_dump())
    session.add(space)
    session.flush()
    return space


def update_space(session: Session, space: Space, change: SpaceUpdate) -> list[str]:
    """Apply the fields sent if ``change.version`` is current (compare-and-set in SQL, so
    two workers cannot both win); return their names. The space row is locked first, as a
    booking locks it, so that seats are never cut below the bookings of a day to come, even
    while people book. Raises ``VersionConflict`` or ``SeatsBelowBookings`` (after a
    rollback)."""
    values = change.model_dump(exclude_unset=True, exclude={"version"})
    if lock_row(session, Space, space.id) is None or space.version != change.version:
        session.rollback()
        raise VersionConflict
    if "seats" in values:
        over = overbooked(session, space.id or 0, values["seats"])
        if over:
            session.rollback()
            raise SeatsBelowBookings(values["seats"], over)
    result = cast(CursorResult[Any], session.execute(
        update(Space).where(col(Space.id) == space.id, col(Space.version) == change.version)
        .values(**values, version=change.version + 1, updated_at=utc_now())))
    if result.rowcount != 1:
        session.rollback()
        raise VersionConflict
    session.refresh(space)
    return sorted(values)


def overbooked(session: Session, space_id: int, seats: int, first: dt.date | None = None
               ) -> list[tuple[dt.date, str, int]]:
    """The half days from ``first`` (today) on whose live bookings take more than
    ``seats``, as (day, half, seats booked), soonest first."""
    taken = taken_by_half(session, space_id, first or today(), dt.date.max)
    over = [(day, half, count) for (day, half), count in taken.items() if count > seats]
    return sorted(over, key=lambda item: (item[0], HALVES.index(item[1])))


def space_out(space: Space, slug: str) -> SpaceOut:
    """The public shape of a space."""
    assert space.id is not None
    return SpaceOut(id=space.id, region=slug, **space.model_dump(include={
        "name", "address", "commune", "latitude", "longitude", "seats", "broadband_mbps",
        "opening_hours", "opening_days", "free_for_members", "price_per_day_eur",
        "price_illustrative", "active", "version"}))


def space_detail(session: Session, space: Space, slug: str) -> SpaceDetail:
    """The public shape with the seats left for the coming two weeks (none when closed)."""
    days = availability(session, space) if space.active else []
    return SpaceDetail(**space_out(space, slug).model_dump(),
                       availability=[DayLeftOut(day=d.day, morning=d.morning,
                                                afternoon=d.afternoon) for d in days])


def booking_out(booking: Booking, space: Space, slug: str) -> BookingOut:
    """A booking as its member sees it."""
    assert booking.id is not None and space.id is not None
    return BookingOut(id=booking.id, region=slug, space_id=space.id, space_name=space.name,
                      commune=space.commune, day=booking.day, slot=booking.slot,
                      status="cancelled" if booking.cancelled_at else "confirmed",
                      cancelled_at=booking.cancelled_at, created_at=booking.created_at)


def staff_booking_out(session: Session, booking: Booking, space: Space, slug: str
                      ) -> StaffBookingOut:
    """A booking with the person's name, for the region's staff."""
    member = session.get(Member, booking.member_id) if booking.member_id else None
    person = (f"{member.first_name} {member.last_name}" if member
              else booking.guest_name or "")
    return StaffBookingOut(**booking_out(booking, space, slug).model_dump(),
                           member_id=booking.member_id, person=person,
                           guest=booking.member_id is None)
