"""Helpers for the meetup tests: a real SMTP server on loopback (aiosmtpd) that keeps
what it receives, and a meetup made through the staff API."""

from __future__ import annotations

import datetime as dt
import socket
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from accounts_kit import World
from aiosmtpd.controller import Controller


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
        """The text of a message."""
        text: str = message.get_content()
        return text

    def wait_for(self, count: int, timeout: float = 10) -> None:
        """Wait until ``count`` messages have arrived (sending happens after the response)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A local SMTP server; the instances built after it send their e-mail there."""
    inbox = Inbox()
    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("CAMPAGNE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CAMPAGNE_SMTP_PORT", str(port))
    yield inbox
    controller.stop()


def in_days(days: float, hour: int = 18) -> str:
    """An ISO time ``days`` from now at ``hour`` o'clock, Paris time."""
    day = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, 30).isoformat()


def new_event(w: World, *, capacity: int = 10, days: float = 10, slug: str = "gers",
              role: str = "staff_gers", **extra: Any) -> dict[str, Any]:
    """Create a meetup through the API as ``role`` and return it."""
    body = {"title": "Apéro des indépendants", "theme": "Trouver ses premiers clients",
            "starts_at": in_days(days), "ends_at": in_days(days, 21),
            "place": "La Dynamo, Auch", "capacity": capacity, **extra}
    response = w.client.post(f"/api/v1/regions/{slug}/events", json=body,
                             headers=w.headers(role))
    assert response.status_code == 201, response.text
    event: dict[str, Any] = response.json()
    return event
