"""The changes of desk bookings, each written once: booking a desk and cancelling a
booking. Each owns its transaction and its audit record; the API, the member's pages and
the staff pages only say who acts and turn the outcome into their answer. (No plug-in is
told of bookings: no hook concerns them; the member is sent a confirmation.)"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from campagne.auth import audit
from campagne.auth.access import Principal
from campagne.features.spaces import bookings
from campagne.features.spaces.confirmation import queue_confirmation
from campagne.features.spaces.models import Booking, BookingSlot
from campagne.instance import Instance
from campagne.operations.locking import exclusive_write


def book_desk(session: Session, instance: Instance, principal: Principal, region_slug: str,
              space_id: int, day: dt.date, slot: BookingSlot, *, member_id: int | None,
              guest_name: str | None, horizon_days: int, address: str | None) -> Booking:
    """Book a desk for a member (``member_id``) or a guest (``guest_name``), by
    ``principal``, and record it in the audit trail, with the member's confirmation in the
    mail outbox, in one committed transaction (the space row locked throughout). Raises
    :class:`~.bookings.BookingRefused`, nothing written."""
    with exclusive_write(session):
        booking = bookings.book(session, space_id, day, slot, member_id=member_id,
                                guest_name=guest_name, booked_by_id=principal.user_id,
                                horizon_days=horizon_days)
        audit.record(session, principal.user, "book", region_slug=region_slug,
                     target=f"booking:{booking.id}", address=address, space_id=space_id,
                     day=day.isoformat(), slot=slot.value)
        queue_confirmation(session, instance, region_slug, booking)
    return booking


def cancel_booking(session: Session, principal: Principal, region_slug: str,
                   booking: Booking, *, address: str | None) -> bool:
    """Cancel a booking by ``principal`` (the seat is free again), record it in the audit
    trail and commit; ``False``, and nothing written, when it already was cancelled. The
    caller has checked that ``principal`` may cancel it."""
    if not bookings.cancel(session, booking):
        return False
    audit.record(session, principal.user, "cancel", region_slug=region_slug,
                 target=f"booking:{booking.id}", address=address)
    session.commit()
    session.refresh(booking)
    return True
