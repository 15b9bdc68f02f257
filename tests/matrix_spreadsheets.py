"""Authorization matrix entries for spreadsheet import and export
(see test_authorization_matrix.py).

``PROTECTED`` maps (method, path) to the status expected per caller (``ROLES`` of
accounts_kit); ``PUBLIC_EXPECTED`` lists public routes that refuse a bare request, with the
status; ``BODIES`` gives the body sent; ``samples`` creates the rows the paths need and returns
the values of their path parameters.

Exports are for the region's staff, read-only staff included; imports for staff who may
write. An upload token belongs to one account and page session, so a token the caller did
not receive answers 404, even to the region's staff."""

from __future__ import annotations

from typing import Any

from accounts_kit import ROLES
from sqlmodel import Session

A, M, SG, RG, SO, AD = ROLES
STAFF_READ = {A: 401, M: 403, SG: 200, RG: 200, SO: 403, AD: 200}
PAGE_STAFF_READ = {**STAFF_READ, A: 303}
PAGE_WRITER = {A: 303, M: 403, SG: 200, RG: 403, SO: 403, AD: 200}
API = "/api/v1/regions/{slug}"

PROTECTED: dict[tuple[str, str], dict[str, int]] = {
    **{(method, f"{API}/members/export/{fmt}"): STAFF_READ
       for method in ("GET", "POST") for fmt in ("csv", "xlsx")},
    **{("GET", f"{API}/inquiries/export/{fmt}"): STAFF_READ for fmt in ("csv", "xlsx")},
    ("GET", "/{slug}/staff/import"): PAGE_STAFF_READ,  # read-only: the export form only
    ("POST", "/{slug}/staff/import"): {**PAGE_WRITER, SG: 422, AD: 422},  # no file sent
    ("POST", "/{slug}/staff/import/preview"): {**PAGE_WRITER, SG: 404, AD: 404},
    ("POST", "/{slug}/staff/import/confirm"): {**PAGE_WRITER, SG: 404, AD: 404},
    ("POST", "/{slug}/staff/import/mapping"): {**PAGE_WRITER, SG: 404, AD: 404},
    ("POST", "/{slug}/staff/import/cancel"): {**PAGE_WRITER, SG: 303, AD: 303},
    ("POST", "/{slug}/staff/export/members"): PAGE_STAFF_READ,
    ("POST", "/{slug}/staff/export/inquiries"): PAGE_STAFF_READ,
}
PUBLIC_EXPECTED: dict[tuple[str, str], int] = {}
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", f"{API}/members/export/csv"): {"status": "settled"},
    ("POST", f"{API}/members/export/xlsx"): {"commune": "Auch"},
    ("POST", "/{slug}/staff/import"): {"kind": "members"},
    **{("POST", f"/{{slug}}/staff/import/{step}"): {"token": "not-a-token", "field": "-"}
       for step in ("preview", "confirm", "mapping", "cancel")},
    ("POST", "/{slug}/staff/export/members"): {"format": "csv", "status": "settled"},
    ("POST", "/{slug}/staff/export/inquiries"): {"format": "xlsx"},
}


def samples(session: Session, gers_id: int, member_id: int) -> dict[str, str]:
    """Sample rows in the Gers (``gers_id``) for the paths of this area; ``member_id`` is a
    Gers member without an account."""
    return {}
