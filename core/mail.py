"""Sending one e-mail over SMTP, configured by the settings (the outbox's worker calls it:
see :mod:`campagne.outbox`), and the links that e-mails carry."""

from __future__ import annotations

import smtplib
from collections.abc import Mapping, Sequence
from email.message import EmailMessage

from campagne.settings import CampagneSettings


def send_mail(settings: CampagneSettings, to: str, subject: str, body: str,
              reply_to: str | None = None, message_id: str | None = None,
              headers: Mapping[str, str] | None = None,
              attachments: Sequence[Mapping[str, str]] = ()) -> None:
    """Send a plain-text message (answers go to ``reply_to`` when given; ``message_id`` is
    its Message-ID header; ``headers`` are added as they are; each attachment is a mapping
    of ``filename``, ``content_type`` and text ``content``); raises
    ``OSError``/``smtplib.SMTPException`` on failure."""
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = to
    message["Subject"] = subject
    if reply_to:
        message["Reply-To"] = reply_to
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for item in attachments:
        # Text only (an .ics): the outbox keeps attachments as text in its JSON column.
        _text, _, subtype = item["content_type"].partition("/")
        message.add_attachment(item["content"], subtype=subtype or "plain",
                               filename=item["filename"])
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as client:
        if settings.smtp_starttls:
            client.starttls()
        if settings.smtp_username and settings.smtp_password:
            client.login(settings.smtp_username, settings.smtp_password)
        client.send_message(message)


def link_url(settings: CampagneSettings, secret: str) -> str:
    """The address of the page where a reset or invitation link sets a password."""
    return f"{settings.public_url.rstrip('/')}/account/set-password?token={secret}"
