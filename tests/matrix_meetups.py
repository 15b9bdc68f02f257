"""Authorization matrix entries for monthly meetups, sign-ups and their calendar feeds
(see test_authorization_matrix.py).

``PROTECTED`` maps (method, path) to the status expected per caller (``ROLES`` of
accounts_kit); ``PUBLIC_EXPECTED`` lists public routes that refuse a bare request, with the
status; ``BODIES`` gives the body sent; ``samples`` creates the rows the paths need and returns
the values of their path parameters."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from accounts_kit import ROLES
from sqlmodel import Session

from campagne.features.meetups.models import Meetup, Registration

A, M, SG, RG, SO, AD = ROLES


def expect(anonymous: int, member: int, writer: int, reader: int, other: int,
           admin: int | None = None) -> dict[str, int]:
    """Statuses for the six callers (the administrator as a writer unless told)."""
    return {A: anonymous, M: member, SG: writer, RG: reader, SO: other,
            AD: writer if admin is None else admin}


API = "/api/v1/regions/{slug}/events"
STAFF = "/{slug}/staff/meetups"
PROTECTED: dict[tuple[str, str], dict[str, int]] = {
    ("POST", API): expect(401, 403, 201, 403, 403),
    ("PATCH", f"{API}/{{event_id}}"): expect(401, 403, 409, 403, 403),  # version 0: stale
    ("GET", f"{API}/{{event_id}}/registrations"): expect(401, 403, 200, 200, 403),
    # A member may cancel only their own sign-up: another's is "unknown" to them.
    ("POST", f"{API}/{{event_id}}/registrations/{{registration_id}}/cancel"):
        expect(401, 404, 200, 403, 403),
    ("PUT", f"{API}/{{event_id}}/attendance"): expect(401, 403, 200, 403, 403),
    ("GET", "/api/v1/me/registrations"): expect(401, 200, 403, 403, 403, 403),
    ("GET", "/account/meetups"): expect(303, 200, 200, 200, 200),
    ("POST", "/account/meetups/{registration_id}/cancel"): expect(303, 404, 404, 404, 404),
    ("GET", STAFF): expect(303, 403, 200, 200, 403),
    ("GET", f"{STAFF}/new"): expect(303, 403, 200, 403, 403),
    ("POST", STAFF): expect(303, 403, 303, 403, 403),
    ("GET", f"{STAFF}/{{event_id}}"): expect(303, 403, 200, 200, 403),
    ("POST", f"{STAFF}/{{event_id}}"): expect(303, 403, 303, 403, 403),  # conflict notice
    ("POST", f"{STAFF}/{{event_id}}/cancel"): expect(303, 403, 303, 403, 403),
    ("POST", f"{STAFF}/{{event_id}}/registrations"): expect(303, 403, 303, 403, 403),
    ("POST", f"{STAFF}/{{event_id}}/registrations/{{registration_id}}/cancel"):
        expect(303, 403, 303, 403, 403),
    ("POST", f"{STAFF}/{{event_id}}/attendance"): expect(303, 403, 303, 403, 403),
}
PUBLIC_EXPECTED: dict[tuple[str, str], int] = {
    ("POST", "/{slug}/rencontres/{event_id:int}/inscription"): 403,  # no CSRF token
    ("POST", "/{slug}/meetups/{event_id:int}/sign-up"): 403,
    ("POST", "/{slug}/rencontres/annulation"): 403,
    ("POST", "/{slug}/meetups/cancel"): 403,
    ("GET", "/{slug}/rencontres/annulation"): 400,  # no cancellation secret
    ("GET", "/{slug}/meetups/cancel"): 400,
}
_START = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).replace(microsecond=0)
_EVENT = {"title": "Matrice", "starts_at": _START.isoformat(),
          "ends_at": (_START + dt.timedelta(hours=2)).isoformat(), "place": "Auch",
          "capacity": 5}
_FORM = {**_EVENT, "starts_at": _START.strftime("%Y-%m-%dT%H:%M"),
         "ends_at": (_START + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
         "capacity": "5"}
# Filled by samples() with a confirmed sign-up of the sample meetup (the dicts are shared
# with the matrix's BODIES, which copies them at each call).
_API_ATTENDANCE: dict[str, Any] = {"marks": []}
_PAGE_ATTENDANCE: dict[str, Any] = {"mark": ""}
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", API): _EVENT,
    ("PATCH", f"{API}/{{event_id}}"): {"version": 0},
    ("PUT", f"{API}/{{event_id}}/attendance"): _API_ATTENDANCE,
    ("POST", STAFF): _FORM,
    ("POST", f"{STAFF}/{{event_id}}"): {**_FORM, "version": "0"},
    ("POST", f"{STAFF}/{{event_id}}/cancel"): {"version": "0", "confirm": "yes"},
    ("POST", f"{STAFF}/{{event_id}}/registrations/{{registration_id}}/cancel"): {
        "confirm": "yes"},
    ("POST", f"{STAFF}/{{event_id}}/registrations"): {"name": "Matrice",
                                                      "email": "matrice@example.org"},
    ("POST", f"{STAFF}/{{event_id}}/attendance"): _PAGE_ATTENDANCE,
}


def samples(session: Session, gers_id: int, member_id: int) -> dict[str, str]:
    """Sample rows in the Gers (``gers_id``) for the paths of this area; ``member_id`` is a
    Gers member without an account."""
    meetup = Meetup(region_id=gers_id, uid=f"{uuid.uuid4().hex}@matrix.invalid",
                    title="Rencontre de la matrice", starts_at=_START,
                    ends_at=_START + dt.timedelta(hours=2), place="Auch", capacity=10)
    session.add(meetup)
    session.flush()
    assert meetup.id is not None
    cancelled, kept = (Registration(meetup_id=meetup.id, guest_name=f"Invité {n}",
                                    guest_email=f"matrix-{n}@example.org", status="confirmed")
                       for n in (1, 2))
    session.add_all([cancelled, kept, Registration(
        meetup_id=meetup.id, member_id=member_id, status="confirmed")])
    session.flush()
    _API_ATTENDANCE["marks"] = [{"registration_id": kept.id, "attended": True}]
    _PAGE_ATTENDANCE["mark"] = f"{kept.id}:yes"
    return {"event_id": str(meetup.id), "registration_id": str(cancelled.id)}
