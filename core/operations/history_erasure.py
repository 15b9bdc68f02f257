"""Erasing a member erases the history the pipeline linked to them: the inquiries they came
from lose identity, contact and free text (:func:`~campagne.operations.inquiry_privacy.
anonymise_inquiry`); the calls, e-mails, meetings, visits and notes of their timeline lose
their text. Stages, kinds and dates stay, so that the aggregate figures (inquiries,
conversions) do not change."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from campagne.models import Member
from campagne.operations.inquiry_privacy import KEPT_KINDS, anonymise_inquiry
from campagne.operations.models import Inquiry, Interaction


def erase_member_history(session: Session, member: Member) -> None:
    """Anonymise the inquiries linked to ``member`` and blank their timeline's texts (the
    caller commits)."""
    for inquiry in session.exec(select(Inquiry).where(Inquiry.member_id == member.id,
                                                      col(Inquiry.erased_at).is_(None))):
        anonymise_inquiry(session, inquiry)
        inquiry.profile = {}
    session.flush()
    session.execute(update(Interaction).where(
        col(Interaction.member_id) == member.id, col(Interaction.kind).not_in(KEPT_KINDS))
        .values(summary="", detail={}))
