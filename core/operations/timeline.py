"""What the staff pages of several features share about people's timelines: the programme's
day, a member's whole history and the staff accounts' addresses shown on it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import or_
from sqlmodel import Session, col, select

from campagne.auth.models import UserAccount
from campagne.models import Member
from campagne.operations.models import Inquiry, Interaction

PROGRAMME_ZONE = ZoneInfo("Europe/Paris")


def programme_today() -> dt.date:
    """Today in France, where the programmes' staff work (follow-ups are due by this day)."""
    return dt.datetime.now(PROGRAMME_ZONE).date()


def member_timeline(session: Session, member: Member) -> list[Interaction]:
    """A member's whole history: their own entries and those of the inquiries they came
    from, oldest first."""
    inquiries = select(Inquiry.id).where(Inquiry.member_id == member.id)
    return list(session.exec(
        select(Interaction).where(or_(col(Interaction.member_id) == member.id,
                                      col(Interaction.inquiry_id).in_(inquiries)))
        .order_by(col(Interaction.at), col(Interaction.id))).all())


def account_names(session: Session, ids: set[int]) -> dict[int, str]:
    """The name pages show for each account id (an adviser, an author): its display name,
    or its e-mail address when it has none."""
    if not ids:
        return {}
    rows = session.exec(select(UserAccount.id, UserAccount.display_name, UserAccount.email)
                        .where(col(UserAccount.id).in_(ids))).all()
    return {int(user_id): name or email for user_id, name, email in rows if user_id is not None}


def account_emails(session: Session, ids: set[int]) -> dict[int, str]:
    """The e-mail address of each account id (the advisors and authors shown to staff)."""
    if not ids:
        return {}
    rows = session.exec(select(UserAccount.id, UserAccount.email)
                        .where(col(UserAccount.id).in_(ids))).all()
    return {int(user_id): email for user_id, email in rows if user_id is not None}
