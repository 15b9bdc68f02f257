"""Putting an e-mail in the outbox, in the caller's transaction."""

from __future__ import annotations

from email.utils import make_msgid
from urllib.parse import urlsplit

from sqlmodel import Session

from campagne.models import utc_now
from campagne.outbox.models import MailState, OutboxMail
from campagne.settings import CampagneSettings


def queue_mail(session: Session, settings: CampagneSettings, *, kind: str, to: str,
               subject: str, body: str, reply_to: str | None = None,
               region_slug: str | None = None) -> OutboxMail:
    """Add an e-mail to the outbox (the caller commits, with the change that causes it);
    ``campagne worker`` sends it."""
    now = utc_now()
    mail = OutboxMail(
        message_id=make_msgid(domain=_domain(settings)), kind=kind, region_slug=region_slug,
        recipient=to, reply_to=reply_to, subject=subject, body=body,
        state=MailState.QUEUED.value, next_attempt_at=now, created_at=now)
    session.add(mail)
    return mail


def _domain(settings: CampagneSettings) -> str:
    """The right-hand part of Message-IDs: the public host, else the sender's domain."""
    host = urlsplit(settings.public_url).hostname
    return host or settings.smtp_sender.rpartition("@")[2] or "localhost"
