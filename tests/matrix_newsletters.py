"""Authorization matrix entries for newsletters: the staff's pages, the member's consent
form and the public unsubscribe link (see test_authorization_matrix.py and
matrix_meetups.py for the shape)."""

from __future__ import annotations

from typing import Any

from accounts_kit import ROLES
from sqlmodel import Session

from campagne.features.newsletters.models import Newsletter

A, M, SG, RG, SO, AD = ROLES


def expect(anonymous: int, member: int, writer: int, reader: int, other: int,
           admin: int | None = None) -> dict[str, int]:
    """Statuses for the six callers (the administrator as a writer unless told)."""
    return {A: anonymous, M: member, SG: writer, RG: reader, SO: other,
            AD: writer if admin is None else admin}


STAFF = "/{slug}/staff/newsletters"
PROTECTED: dict[tuple[str, str], dict[str, int]] = {
    ("GET", STAFF): expect(303, 403, 200, 200, 403),
    ("GET", f"{STAFF}/new"): expect(303, 403, 200, 403, 403),
    ("POST", STAFF): expect(303, 403, 303, 403, 403),
    ("GET", f"{STAFF}/{{newsletter_id}}"): expect(303, 403, 200, 200, 403),
    ("GET", f"{STAFF}/{{newsletter_id}}/edit"): expect(303, 403, 200, 403, 403),
    ("POST", f"{STAFF}/{{newsletter_id}}"): expect(303, 403, 303, 403, 403),
    # The first writer sends it; the administrator's click finds it sent: 303 both.
    ("POST", f"{STAFF}/{{newsletter_id}}/send"): expect(303, 403, 303, 403, 403),
    # Only members have a consent to give: for any other account the page does not exist.
    ("POST", "/account/newsletter"): expect(303, 303, 404, 404, 404, 404),
}
PUBLIC_EXPECTED: dict[tuple[str, str], int] = {
    ("GET", "/{slug}/newsletters/unsubscribe"): 400,  # no secret
    ("POST", "/{slug}/newsletters/unsubscribe"): 400,
}
_LETTER = {"subject": "Matrice", "body": "Bonjour", "segment": "members"}
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", STAFF): _LETTER,
    ("POST", f"{STAFF}/{{newsletter_id}}"): _LETTER,
    ("POST", "/account/newsletter"): {"subscribe": "on"},
}


def samples(session: Session, gers_id: int, member_id: int) -> dict[str, str]:
    """A draft newsletter in the region ``gers_id``."""
    draft = Newsletter(region_id=gers_id, subject="Lettre de la matrice", body="Bonjour",
                       segment="members")
    session.add(draft)
    session.flush()
    return {"newsletter_id": str(draft.id)}
