"""A real SMTP server on loopback (aiosmtpd) for the e-mail tests: it keeps every message it
receives, and the instances built after it send their e-mail there. E-mail waits in the
outbox until :func:`deliver` sends it (what ``campagne worker`` does)."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from campagne.instance import Instance
from campagne.outbox.sending import SendReport, send_due


class Inbox:
    """Keeps every message the SMTP server receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages received for ``address``."""
        return [m for m in self.messages if m["To"] == address]

    def body(self, message: EmailMessage) -> str:
        """The text of a message (its plain-text part when it has attachments)."""
        part = message.get_body(("plain",))
        assert part is not None, "no text in the message"
        text: str = part.get_content()
        return text



def deliver(instance: Instance, now: dt.datetime | None = None) -> SendReport:
    """Send every e-mail of ``instance``'s outbox due at ``now`` (once, as the worker would);
    the SMTP server has them when this returns."""
    return send_due(instance.engine, instance.settings, limit=1000, now=now)


def free_port() -> int:
    """A TCP port nobody listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def smtp_server(monkeypatch: pytest.MonkeyPatch, port: int | None = None) -> Iterator[Inbox]:
    """A local SMTP server (on ``port``, else a free one), and the settings that send to it
    (set before the instance). Starting it on the port of an instance built while nobody
    listened there is the mail server coming back."""
    inbox = Inbox()
    port = port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ready_timeout=60)
    controller.start()
    monkeypatch.setenv("CAMPAGNE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CAMPAGNE_SMTP_PORT", str(port))
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """The local SMTP server as a fixture."""
    with smtp_server(monkeypatch) as inbox:
        yield inbox
