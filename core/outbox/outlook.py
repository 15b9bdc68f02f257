"""What the outbox can tell, at the moment an e-mail is queued, of its chances to leave
soon: whether sending works as far as it knows. The inquiry form's thanks page says no more
than this (see docs/operations.md#acknowledgement-e-mail)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from campagne.models import utc_now
from campagne.outbox.claim import BULK_KINDS
from campagne.outbox.models import MailState, OutboxMail

#: An e-mail (not a newsletter, which waits its turn) queued this long and never taken
#: means that no worker sends the outbox.
STALLED_AFTER = dt.timedelta(minutes=15)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def sending_stalled(session: Session, now: dt.datetime | None = None) -> bool:
    """Whether the outbox shows that e-mail does not go out now: the e-mail a worker took
    last was not sent (it failed, or waits for another attempt), or an e-mail has waited
    more than :data:`STALLED_AFTER` without any worker taking it."""
    now = now or utc_now()
    latest = session.exec(
        select(OutboxMail.state, OutboxMail.last_error)
        .where(col(OutboxMail.claimed_at).is_not(None))
        .order_by(col(OutboxMail.claimed_at).desc(), col(OutboxMail.id).desc()).limit(1)).first()
    if latest is not None:
        state, last_error = latest
        if state == MailState.FAILED.value or (state == MailState.QUEUED.value and last_error):
            return True
    oldest = session.exec(
        select(OutboxMail.created_at)
        .where(OutboxMail.state == MailState.QUEUED.value,
               col(OutboxMail.claimed_at).is_(None), col(OutboxMail.kind).not_in(BULK_KINDS))
        .order_by(col(OutboxMail.created_at)).limit(1)).first()
    return oldest is not None and now - _aware(oldest) > STALLED_AFTER
