"""Erasing a member erases the history the pipeline linked to them: the inquiries they came
from lose identity, contact and free text; the calls, e-mails, meetings, visits and notes of
their timeline lose their text.
Stages, kinds and dates stay, so that the aggregate figures (inquiries, conversions) do not
change."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from campagne.models import Member, utc_now
from campagne.operations.models import Inquiry, Interaction, InteractionKind

ERASED_NAME = "—"
PERSONAL_FIELDS = ("email", "phone", "origin_area", "activity", "heard_from", "message",
                   "next_action", "consent_purpose", "consent_given_at", "last_contact_at")


def erase_member_history(session: Session, member: Member) -> None:
    """Anonymise the inquiries linked to ``member`` and blank their timeline's texts (the
    caller commits)."""
    now = utc_now()
    inquiries = session.exec(select(Inquiry).where(Inquiry.member_id == member.id)).all()
    for inquiry in inquiries:
        inquiry.first_name = inquiry.last_name = ERASED_NAME
        for name in PERSONAL_FIELDS:
            setattr(inquiry, name, None)
        inquiry.answers, inquiry.profile = {}, {}
        inquiry.erased_at = inquiry.erased_at or now
        inquiry.version += 1
        inquiry.updated_at = now
        session.add(inquiry)
    ids = [inquiry.id for inquiry in inquiries]
    # Stage changes and the conversion hold stage keys and ids only: they stay as they are.
    session.execute(update(Interaction).where(
        (col(Interaction.member_id) == member.id) | col(Interaction.inquiry_id).in_(ids),
        col(Interaction.kind).not_in([InteractionKind.STAGE.value,
                                      InteractionKind.CONVERSION.value]))
        .values(summary="", detail={}))
