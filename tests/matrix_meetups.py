"""Authorization matrix entries for monthly meetups, sign-ups and their calendar feeds
(see test_authorization_matrix.py).

``PROTECTED`` maps (method, path) to the status expected per caller (``ROLES`` of
accounts_kit); ``PUBLIC_EXPECTED`` lists public routes that refuse a bare request, with the
status; ``BODIES`` gives the body sent; ``samples`` creates the rows the paths need and returns
the values of their path parameters."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

PROTECTED: dict[tuple[str, str], dict[str, int]] = {}
PUBLIC_EXPECTED: dict[tuple[str, str], int] = {}
BODIES: dict[tuple[str, str], dict[str, Any]] = {}


def samples(session: Session, gers_id: int, member_id: int) -> dict[str, str]:
    """Sample rows in the Gers (``gers_id``) for the paths of this area; ``member_id`` is a
    Gers member without an account."""
    return {}
