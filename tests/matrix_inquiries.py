"""Authorization matrix entries for inquiries, the pipeline board and the staff home
(see test_authorization_matrix.py).

``PROTECTED`` maps (method, path) to the status expected per caller (``ROLES`` of
accounts_kit); ``PUBLIC_EXPECTED`` lists public routes that refuse a bare request, with the
status; ``BODIES`` gives the body sent; ``samples`` creates the rows the paths need and returns
the values of their path parameters."""

from __future__ import annotations

from typing import Any

from accounts_kit import ROLES
from sqlmodel import Session

from campagne.operations.models import Inquiry

A, M, SG, RG, SO, AD = ROLES
STAFF_READ = {A: 401, M: 403, SG: 200, RG: 200, SO: 403, AD: 200}
PAGE_STAFF_READ = {**STAFF_READ, A: 303}
PAGE_STAFF_WRITE = {**PAGE_STAFF_READ, SG: 303, RG: 403, AD: 303}

PROTECTED: dict[tuple[str, str], dict[str, int]] = {
    # pipeline
    ("GET", "/api/v1/regions/{slug}/inquiries"): STAFF_READ,
    ("POST", "/api/v1/regions/{slug}/inquiries/search"): STAFF_READ,
    ("GET", "/api/v1/regions/{slug}/inquiries/{inquiry_id}"): STAFF_READ,
    ("PATCH", "/api/v1/regions/{slug}/inquiries/{inquiry_id}"): {
        **STAFF_READ, SG: 409, RG: 403, AD: 409},
    ("POST", "/api/v1/regions/{slug}/inquiries/{inquiry_id}/interactions"): {
        **STAFF_READ, SG: 201, RG: 403, AD: 201},
    # the Gers's staff converts first, so the administrator's second conversion is refused
    ("POST", "/api/v1/regions/{slug}/inquiries/{inquiry_id}/convert"): {
        **STAFF_READ, SG: 201, RG: 403, AD: 409},
    ("GET", "/api/v1/regions/{slug}/members/{member_id}/timeline"): STAFF_READ,
    ("GET", "/{slug}/staff/"): PAGE_STAFF_READ,
    ("GET", "/{slug}/staff/pipeline"): PAGE_STAFF_READ,
    ("GET", "/{slug}/staff/pipeline/{stage_key}"): PAGE_STAFF_READ,
    ("POST", "/{slug}/staff/inquiries"): PAGE_STAFF_READ,
    ("GET", "/{slug}/staff/inquiries/{inquiry_id}"): PAGE_STAFF_READ,
    ("POST", "/{slug}/staff/inquiries/{inquiry_id}"): PAGE_STAFF_WRITE,
    ("POST", "/{slug}/staff/inquiries/{inquiry_id}/stage"): PAGE_STAFF_WRITE,
    ("POST", "/{slug}/staff/inquiries/{inquiry_id}/interactions"): PAGE_STAFF_WRITE,
    ("POST", "/{slug}/staff/inquiries/{inquiry_id}/convert"): PAGE_STAFF_WRITE,
    # intake: the inquiry form and API are public; no protected route.
}
PUBLIC_EXPECTED: dict[tuple[str, str], int] = {
    # pipeline: none
    # intake
    ("POST", "/{slug}/candidater"): 403,  # no CSRF token: the form is shown again
    ("POST", "/{slug}/apply"): 403,
    ("POST", "/api/v1/regions/{slug}/inquiries"): 422,  # no name, e-mail nor consent
}
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    # pipeline
    ("POST", "/api/v1/regions/{slug}/inquiries/search"): {"name": "a"},
    ("PATCH", "/api/v1/regions/{slug}/inquiries/{inquiry_id}"): {"version": 0,
                                                                  "stage": "contacted"},
    ("POST", "/api/v1/regions/{slug}/inquiries/{inquiry_id}/interactions"): {
        "kind": "call", "summary": "Premier appel"},
    ("POST", "/{slug}/staff/inquiries"): {"name": "a"},
    ("POST", "/{slug}/staff/inquiries/{inquiry_id}"): {"version": "0", "stage": "contacted"},
    ("POST", "/{slug}/staff/inquiries/{inquiry_id}/stage"): {"version": "0",
                                                              "stage": "contacted"},
    ("POST", "/{slug}/staff/inquiries/{inquiry_id}/interactions"): {
        "kind": "note", "summary": "Note"},
    # intake: what a robot would send, without the form's token
    ("POST", "/{slug}/candidater"): {"first_name": "Robot", "email": "robot@example.org"},
    ("POST", "/{slug}/apply"): {"first_name": "Robot", "email": "robot@example.org"},
}


def samples(session: Session, gers_id: int, member_id: int) -> dict[str, str]:
    """Sample rows in the Gers (``gers_id``) for the paths of this area; ``member_id`` is a
    Gers member without an account."""
    # pipeline
    inquiry = Inquiry(region_id=gers_id, first_name="Inès", last_name="Matrice",
                      email="ines.matrice@example.org", sector_slug="it_internet_ecommerce",
                      stage="new", synthetic=True)
    session.add(inquiry)
    session.flush()
    return {"inquiry_id": str(inquiry.id), "stage_key": "new"}
