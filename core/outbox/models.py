"""The table of e-mails waiting to be sent, sent or given up."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Text
from sqlmodel import Field, SQLModel

from campagne.models import utc_now


class MailState(StrEnum):
    """Where an e-mail of the outbox is."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMail(SQLModel, table=True):
    """One e-mail: written with the change that causes it, sent by the worker. Its
    ``message_id`` is the Message-ID header of every attempt, so a receiving server can
    tell a retry from a new message."""

    __tablename__ = "outbox_mail"

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str | None = Field(
        default=None, max_length=200, unique=True,
        description="Set by work that may run twice (a job's reminders): a second e-mail "
                    "with the same key is not queued")
    message_id: str = Field(max_length=250, unique=True, description="RFC 5322 Message-ID")
    kind: str = Field(max_length=40, index=True, description="e.g. password_reset")
    region_slug: str | None = Field(default=None, max_length=40, index=True)
    recipient: str = Field(max_length=320)
    reply_to: str | None = Field(default=None, max_length=320)
    subject: str = Field(max_length=500)
    body: str = Field(sa_type=Text)
    headers: dict[str, str] = Field(
        default_factory=dict, sa_type=JSON,
        description="Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post")
    attachments: list[dict[str, Any]] = Field(
        default_factory=list, sa_type=JSON,
        description="Text attachments: filename, content_type and content (an .ics)")
    state: str = Field(default=MailState.QUEUED.value, max_length=10, index=True,
                       description="One of MailState")
    attempts: int = 0
    next_attempt_at: dt.datetime = Field(default_factory=utc_now, index=True,
                                         description="Not sent before; for 'sending', "
                                                     "the end of the worker's lease")
    claimed_at: dt.datetime | None = Field(
        default=None, index=True,
        description="When a worker last took it: bounds the rate of newsletters")
    last_error: str | None = Field(default=None, max_length=500,
                                   description="The last failure, without the address")
    created_at: dt.datetime = Field(default_factory=utc_now, index=True)
    sent_at: dt.datetime | None = None
