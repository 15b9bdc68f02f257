"""Authorization matrix entries for inquiries, the pipeline board and the staff home
(see test_authorization_matrix.py).

``PROTECTED`` maps (method, path) to the status expected per caller (``ROLES`` of
accounts_kit); ``PUBLIC_EXPECTED`` lists public routes that refuse a bare request, with the
status; ``BODIES`` gives the body sent; ``samples`` creates the rows the paths need and returns
the values of their path parameters."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

PROTECTED: dict[tuple[str, str], dict[str, int]] = {
    # intake: the inquiry form and API are public; no protected route.
}
PUBLIC_EXPECTED: dict[tuple[str, str], int] = {
    # intake
    ("POST", "/{slug}/candidater"): 403,  # no CSRF token: the form is shown again
    ("POST", "/{slug}/apply"): 403,
    ("POST", "/api/v1/regions/{slug}/inquiries"): 422,  # no name, e-mail nor consent
}
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    # intake: what a robot would send, without the form's token
    ("POST", "/{slug}/candidater"): {"first_name": "Robot", "email": "robot@example.org"},
    ("POST", "/{slug}/apply"): {"first_name": "Robot", "email": "robot@example.org"},
}


def samples(session: Session, gers_id: int, member_id: int) -> dict[str, str]:
    """Sample rows in the Gers (``gers_id``) for the paths of this area; ``member_id`` is a
    Gers member without an account."""
    return {}
