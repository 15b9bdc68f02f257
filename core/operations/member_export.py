"""What a member's data export (GDPR art. 15 and 20) holds of their meetup sign-ups and desk
bookings: every row that names them, cancelled ones included, with the place it concerns."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from campagne.features.meetups.models import Meetup, Registration
from campagne.features.spaces.models import Booking, Space


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None


def member_registrations(session: Session, member_id: int | None) -> list[dict[str, Any]]:
    """The member's sign-ups to meetups, oldest first."""
    rows = session.exec(
        select(Registration, Meetup).join(Meetup, col(Meetup.id) == col(Registration.meetup_id))
        .where(Registration.member_id == member_id).order_by(col(Registration.id))).all()
    return [{"meetup_id": meetup.id, "meetup": meetup.title, "starts_at": _iso(meetup.starts_at),
             "status": registration.status, "attended": registration.attended,
             "registered_at": _iso(registration.created_at),
             "cancelled_at": _iso(registration.cancelled_at)}
            for registration, meetup in rows]


def member_bookings(session: Session, member_id: int | None) -> list[dict[str, Any]]:
    """The member's desk bookings, oldest first."""
    rows = session.exec(
        select(Booking, Space).join(Space, col(Space.id) == col(Booking.space_id))
        .where(Booking.member_id == member_id).order_by(col(Booking.id))).all()
    return [{"space_id": space.id, "space": space.name, "commune": space.commune,
             "day": _iso(booking.day), "slot": booking.slot,
             "booked_at": _iso(booking.created_at), "cancelled_at": _iso(booking.cancelled_at)}
            for booking, space in rows]
