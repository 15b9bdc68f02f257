"""What the outbox keeps, and for how long: the links an e-mail carried are masked once it is
sent or given up, sent and failed e-mails are deleted after ``outbox_keep_days``, and the
e-mails of an erased person are deleted with the erasure."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func
from sqlmodel import Session, col

from campagne.outbox.models import MailState, OutboxMail
from campagne.settings import CampagneSettings

#: The secret of a reset, invitation or cancellation link (``?token=...``).
LINK_SECRET = re.compile(r"([?&]token=)[^\s&]+")
MASK = "…"
DONE = (MailState.SENT.value, MailState.FAILED.value)


def mask_links(text: str) -> str:
    """``text`` with the secrets of its links masked (a link used once is no longer needed,
    and a reader of the outbox must not be able to use it)."""
    return LINK_SECRET.sub(rf"\g<1>{MASK}", text)


def has_masked_link(text: str) -> bool:
    """Whether ``text`` carried a link whose secret was masked (sending it again would send
    a dead link: the person asks for a new one instead)."""
    return f"token={MASK}" in text


def purge_outbox(session: Session, settings: CampagneSettings, now: dt.datetime) -> int:
    """Delete the sent and failed e-mails older than ``outbox_keep_days``; return how many
    (the caller commits)."""
    limit = now - dt.timedelta(days=settings.outbox_keep_days)
    result = cast(CursorResult[Any], session.execute(delete(OutboxMail).where(
        col(OutboxMail.state).in_(DONE), col(OutboxMail.created_at) < limit)))
    return int(result.rowcount or 0)


def forget_recipient(session: Session, address: str | None) -> int:
    """Delete every e-mail to ``address`` (an erased person's), whatever its state; return
    how many (the caller commits)."""
    if not address:
        return 0
    result = cast(CursorResult[Any], session.execute(delete(OutboxMail).where(
        func.lower(col(OutboxMail.recipient)) == address.lower())))
    return int(result.rowcount or 0)
