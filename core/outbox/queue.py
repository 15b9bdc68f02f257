"""Putting an e-mail in the outbox, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import make_msgid
from urllib.parse import urlsplit

from sqlmodel import Session, select

from campagne.models import utc_now
from campagne.outbox.models import MailState, OutboxMail
from campagne.settings import CampagneSettings


@dataclass(frozen=True)
class Attachment:
    """A text file sent with an e-mail (an invitation's ``.ics``)."""

    filename: str
    content_type: str
    content: str

    def as_row(self) -> dict[str, str]:
        """The form kept in ``outbox_mail.attachments``."""
        return {"filename": self.filename, "content_type": self.content_type,
                "content": self.content}


def queue_mail(session: Session, settings: CampagneSettings, *, kind: str, to: str,
               subject: str, body: str, reply_to: str | None = None,
               region_slug: str | None = None, headers: Mapping[str, str] | None = None,
               attachments: Sequence[Attachment] = (),
               dedupe_key: str | None = None) -> OutboxMail | None:
    """Add an e-mail to the outbox (the caller commits, with the change that causes it);
    ``campagne worker`` sends it.

    With ``dedupe_key``, an e-mail already queued (or sent) under that key is not queued
    again and ``None`` is returned: work that may run twice (a reminder job) sends once.
    """
    if dedupe_key is not None and already_queued(session, dedupe_key):
        return None
    now = utc_now()
    mail = OutboxMail(
        message_id=make_msgid(domain=_domain(settings)), kind=kind, region_slug=region_slug,
        recipient=to, reply_to=reply_to, subject=subject, body=body,
        headers=dict(headers or {}), attachments=[item.as_row() for item in attachments],
        dedupe_key=dedupe_key, state=MailState.QUEUED.value, next_attempt_at=now,
        created_at=now)
    session.add(mail)
    return mail


def already_queued(session: Session, dedupe_key: str) -> bool:
    """Whether an e-mail with ``dedupe_key`` is in the outbox (pending ones included)."""
    with session.no_autoflush:
        pending = any(isinstance(item, OutboxMail) and item.dedupe_key == dedupe_key
                      for item in session.new)
    return pending or session.exec(select(OutboxMail.id).where(
        OutboxMail.dedupe_key == dedupe_key)).first() is not None


def _domain(settings: CampagneSettings) -> str:
    """The right-hand part of Message-IDs: the public host, else the sender's domain."""
    host = urlsplit(settings.public_url).hostname
    return host or settings.smtp_sender.rpartition("@")[2] or "localhost"
