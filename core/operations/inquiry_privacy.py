"""Personal data rights over inquiries: what a member's export holds of them, and their
anonymisation (erasure of the member, or the end of their retention period). Anonymising
keeps the fields aggregates count (region, stage, sector, status, origin, timing, source,
dates), so the figures of inquiries stay the same."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from campagne.models import utc_now
from campagne.operations.models import Inquiry, Interaction, InteractionKind

ERASED_NAME = "—"
#: Free texts and contacts: what anonymisation removes.
PERSONAL_FIELDS = ("email", "phone", "activity", "message", "origin_area", "next_action",
                   "consent_purpose", "consent_given_at", "last_contact_at")
EXPORTED_FIELDS = ("id", "first_name", "last_name", "email", "phone", "origin_area",
                   "origin_department", "activity", "sector_slug", "status", "timing",
                   "heard_from", "message", "answers", "profile", "source", "stage",
                   "next_action", "next_action_on", "consent_purpose", "consent_given_at",
                   "last_contact_at", "created_at", "converted_at")


#: Timeline entries that hold stage keys and ids only: they stay, so that figures stay.
KEPT_KINDS = (InteractionKind.STAGE.value, InteractionKind.CONVERSION.value)


def anonymise_inquiry(session: Session, inquiry: Inquiry) -> None:
    """Remove the person from ``inquiry`` and from its timeline entries (the caller
    commits)."""
    inquiry.first_name = inquiry.last_name = ERASED_NAME
    for name in PERSONAL_FIELDS:
        setattr(inquiry, name, None)
    inquiry.answers = {}
    inquiry.erased_at = inquiry.updated_at = utc_now()
    inquiry.version += 1
    session.add(inquiry)
    for entry in session.exec(select(Interaction).where(
            Interaction.inquiry_id == inquiry.id,
            col(Interaction.kind).not_in(KEPT_KINDS))):
        entry.summary = ""
        entry.detail = {}
        session.add(entry)


def _json(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def member_inquiries(session: Session, member_id: int | None) -> list[dict[str, Any]]:
    """The inquiries linked to member ``member_id``, JSON-ready (GDPR art. 15 and 20)."""
    rows = session.exec(select(Inquiry).where(Inquiry.member_id == member_id)
                        .order_by(col(Inquiry.created_at))).all()
    return [{name: _json(getattr(row, name)) for name in EXPORTED_FIELDS} for row in rows]
