"""Sending the due e-mails of the outbox: each with its own Message-ID at every attempt,
retried with a capped exponential back-off, given up after the attempts allowed."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session

from campagne import mail as smtp
from campagne.models import utc_now
from campagne.outbox.claim import claim
from campagne.outbox.models import MailState, OutboxMail
from campagne.outbox.retention import mask_links
from campagne.settings import CampagneSettings

log = logging.getLogger(__name__)
ERROR_LENGTH = 500


@dataclass(frozen=True)
class SendReport:
    """What one round of sending did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0


def send_due(engine: Engine, settings: CampagneSettings, *, limit: int = 50,
             now: dt.datetime | None = None) -> SendReport:
    """Take up to ``limit`` due e-mails (newsletters last, and no more of them than
    ``newsletter_rate_per_minute`` allows), send each, and record how it went."""
    now = now or utc_now()
    lease = dt.timedelta(seconds=settings.outbox_lease_seconds)
    counts = {"sent": 0, "retried": 0, "failed": 0}
    for row in claim(engine, limit=limit, now=now, lease=lease,
                     bulk_rate=settings.newsletter_rate_per_minute):
        counts[_send_one(engine, settings, row, now)] += 1
    return SendReport(**counts)


def _send_one(engine: Engine, settings: CampagneSettings, row: OutboxMail,
              now: dt.datetime) -> str:
    try:
        smtp.send_mail(settings, row.recipient, row.subject, row.body,
                       reply_to=row.reply_to, message_id=row.message_id,
                       headers=row.headers, attachments=row.attachments)
    except (OSError, smtplib.SMTPException, ValueError) as exc:  # ValueError: bad header
        return _record_failure(engine, settings, row, now, exc)
    except Exception as exc:  # noqa: BLE001 - one bad e-mail must not stop the others
        return _record_failure(engine, settings, row, now, exc)
    with Session(engine) as session:
        stored = session.get(OutboxMail, row.id)
        if stored is not None:
            stored.state, stored.sent_at, stored.last_error = MailState.SENT.value, now, None
            _mask(stored)
            session.commit()
    return "sent"


def _record_failure(engine: Engine, settings: CampagneSettings, row: OutboxMail,
                    now: dt.datetime, exc: BaseException) -> str:
    reason = error_text(exc, row.recipient)
    given_up = row.attempts >= settings.outbox_max_attempts
    log.warning("mail %s (%s) not sent, attempt %d: %s", row.id, row.kind, row.attempts,
                reason)
    with Session(engine) as session:
        stored = session.get(OutboxMail, row.id)
        if stored is not None:
            stored.last_error = reason
            if given_up:
                stored.state = MailState.FAILED.value
                _mask(stored)
            else:
                stored.state = MailState.QUEUED.value
                stored.next_attempt_at = now + retry_delay(settings, row.attempts)
            session.commit()
    return "failed" if given_up else "retried"


def _mask(row: OutboxMail) -> None:
    """Mask the secrets of the links a sent or given-up e-mail carried, in its text and
    its headers (a newsletter's List-Unsubscribe)."""
    row.body = mask_links(row.body)
    row.headers = {name: mask_links(value) for name, value in row.headers.items()}


def retry_delay(settings: CampagneSettings, attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failure: doubling, capped."""
    seconds = settings.outbox_retry_seconds * 2 ** min(max(attempts - 1, 0), 30)
    return dt.timedelta(seconds=min(seconds, settings.outbox_retry_max_seconds))


def error_text(exc: BaseException, recipient: str) -> str:
    """The failure as stored: its kind and message, the address masked."""
    text = f"{type(exc).__name__}: {exc}".replace(recipient, "<recipient>")
    return text[:ERROR_LENGTH]
