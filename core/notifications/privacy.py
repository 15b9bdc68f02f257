"""What the notifications keep about a person, in their export (GDPR art. 15 and 20) and
at their erasure: the kinds they switched off and their mail language; and, from the
outbox, the e-mails to their addresses it still holds (kind, subject, date and state; not
the text, whose links may still work)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from campagne.auth.models import UserAccount
from campagne.models import Member, iso_or_none
from campagne.notifications.preferences import forget, switched_off
from campagne.outbox.models import OutboxMail


def export_notifications(session: Session, member_id: int) -> dict[str, Any]:
    """The export's ``notifications`` (preferences of each of the person's accounts) and
    ``emails`` (the outbox's e-mails to the person's addresses, oldest first)."""
    accounts = _accounts(session, member_id)
    member = session.get(Member, member_id)
    addresses = {a.email.lower() for a in accounts}
    if member is not None and member.email:
        addresses.add(member.email.lower())
    mails = session.exec(select(OutboxMail).where(
        func.lower(col(OutboxMail.recipient)).in_(sorted(addresses)))
        .order_by(col(OutboxMail.created_at), col(OutboxMail.id))).all() if addresses else []
    return {
        "notifications": [{"account": a.email, "language": a.language,
                           "switched_off": sorted(switched_off(session, a.id or 0))}
                          for a in accounts],
        "emails": [{"kind": m.kind, "subject": m.subject, "to": m.recipient,
                    "queued_at": iso_or_none(m.created_at), "sent_at": iso_or_none(m.sent_at),
                    "state": m.state} for m in mails]}


def erase_notifications(session: Session, member_id: int) -> int:
    """Delete the opt-outs of the person's accounts; return how many (the outbox's e-mails
    to their addresses are deleted by the erasure itself)."""
    return sum(forget(session, account.id or 0) for account in _accounts(session, member_id))


def _accounts(session: Session, member_id: int) -> list[UserAccount]:
    return list(session.exec(select(UserAccount).where(UserAccount.member_id == member_id)
                             .order_by(col(UserAccount.id))).all())
