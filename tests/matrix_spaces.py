"""Authorization matrix entries for offices, coworking spaces and desk bookings
(see test_authorization_matrix.py).

``PROTECTED`` maps (method, path) to the status expected per caller (``ROLES`` of
accounts_kit); ``PUBLIC_EXPECTED`` lists public routes that refuse a bare request, with the
status; ``BODIES`` gives the body sent; ``samples`` creates the rows the paths need and returns
the values of their path parameters.

The matrix calls the routes in the application's order, every caller in turn: the member
books first, cancelling a cancelled booking changes nothing (200), and the sample space is
closed by the deactivation routes, after the API's booking routes (the page routes answer a
redirect either way)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from accounts_kit import EMAILS, ROLES
from sqlmodel import Session, select

from campagne.auth.models import UserAccount
from campagne.features.spaces.models import Booking, BookingSlot, Space

A, M, SG, RG, SO, AD = ROLES
STAFF_READ = {A: 401, M: 403, SG: 200, RG: 200, SO: 403, AD: 200}
PAGE_STAFF_READ = {**STAFF_READ, A: 303}
PAGE_STAFF_WRITE = {**PAGE_STAFF_READ, SG: 303, RG: 403, AD: 303}
SIGNED_IN_PAGE = {role: 303 for role in ROLES}  # redirects: sign-in form, account or space
OWN_BOOKING = {role: 303 if role == A else 200 if role == M else 404 for role in ROLES}
DAY = (dt.date.today() + dt.timedelta(days=7)).isoformat()
API = "/api/v1/regions/{slug}/spaces"
STAFF = "/{slug}/staff/spaces"


def _writes(ok: int) -> dict[str, int]:
    return {**STAFF_READ, SG: ok, RG: 403, AD: ok}


PROTECTED: dict[tuple[str, str], dict[str, int]] = {
    # members book for themselves; staff must name the person (422 without one)
    ("POST", f"{API}/{{space_id}}/bookings"): {**STAFF_READ, M: 201, SG: 422, RG: 403,
                                               AD: 422},
    ("GET", f"{API}/{{space_id}}/bookings"): STAFF_READ,
    ("POST", f"{API}/{{space_id}}/bookings/{{booking_id}}/cancel"): {
        **STAFF_READ, M: 200, RG: 403},
    ("DELETE", f"{API}/{{space_id}}/bookings/{{booking_id}}"): {
        **STAFF_READ, M: 204, SG: 204, RG: 403, AD: 204},
    ("POST", API): _writes(201),
    ("PATCH", f"{API}/{{space_id}}"): _writes(409),
    ("POST", f"{API}/{{space_id}}/deactivate"): _writes(200),
    ("GET", "/api/v1/me/bookings"): {role: 401 if role == A else 200 if role == M else 403
                                     for role in ROLES},
    ("POST", "/account/bookings"): SIGNED_IN_PAGE,
    ("POST", "/account/bookings/{booking_id}/cancel"): SIGNED_IN_PAGE,
    # a booking's confirmation and calendar file: its member's only (404 for anyone else)
    ("GET", "/account/bookings/{booking_id}"): OWN_BOOKING,
    ("GET", "/account/bookings/{booking_id}/booking.ics"): OWN_BOOKING,
    ("GET", STAFF): PAGE_STAFF_READ,
    ("POST", STAFF): PAGE_STAFF_WRITE,
    ("GET", f"{STAFF}/{{space_id}}"): PAGE_STAFF_READ,
    ("POST", f"{STAFF}/{{space_id}}"): PAGE_STAFF_WRITE,
    ("POST", f"{STAFF}/{{space_id}}/deactivate"): PAGE_STAFF_WRITE,
    ("POST", f"{STAFF}/{{space_id}}/bookings"): PAGE_STAFF_WRITE,
    ("POST", f"{STAFF}/{{space_id}}/bookings/{{booking_id}}/cancel"): PAGE_STAFF_WRITE,
}
PUBLIC_EXPECTED: dict[tuple[str, str], int] = {}
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", f"{API}/{{space_id}}/bookings"): {"day": DAY, "slot": "morning"},
    ("POST", API): {"name": "Bureau d'essai", "commune": "Auch", "seats": 2},
    ("PATCH", f"{API}/{{space_id}}"): {"version": 0},
    ("POST", "/account/bookings"): {"space_id": "{space_id}", "day": DAY, "slot": "afternoon"},
    ("POST", STAFF): {"name": "Bureau d'essai", "commune": "Auch", "seats": "2"},
    ("POST", f"{STAFF}/{{space_id}}"): {"version": "0", "name": "Bureau", "commune": "Auch",
                                        "seats": "3"},
    ("POST", f"{STAFF}/{{space_id}}/bookings"): {"day": DAY, "slot": "day",
                                                 "guest_name": "Invité de test"},
    ("POST", f"{STAFF}/{{space_id}}/deactivate"): {"confirm": "yes"},
    ("POST", f"{STAFF}/{{space_id}}/bookings/{{booking_id}}/cancel"): {"confirm": "yes"},
}


def samples(session: Session, gers_id: int, member_id: int) -> dict[str, str]:
    """Sample rows in the Gers (``gers_id``) for the paths of this area; ``member_id`` is a
    Gers member without an account."""
    space = Space(region_id=gers_id, name="Bureau de la matrice", commune="Auch", seats=20)
    session.add(space)
    session.flush()
    account_member = session.exec(select(UserAccount.member_id).where(
        UserAccount.email == EMAILS[M])).one()
    booking = Booking(space_id=space.id, day=dt.date.today() + dt.timedelta(days=8),
                      slot=BookingSlot.DAY.value, member_id=account_member)
    session.add(booking)
    session.flush()
    BODIES[("POST", "/account/bookings")]["space_id"] = str(space.id)
    return {"space_id": str(space.id), "booking_id": str(booking.id)}
