"""Test helpers for inquiries: a real SMTP server (aiosmtpd) that keeps what it receives,
the form's CSRF token, and a valid set of answers."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from campagne.instance import Instance
from campagne.operations.models import Inquiry


class Inbox:
    """Keeps every message the SMTP server receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted"


def free_port() -> int:
    """A TCP port nobody listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A local SMTP server, and the settings that send to it (set before the instance)."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("CAMPAGNE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CAMPAGNE_SMTP_PORT", str(port))
    try:
        yield inbox
    finally:
        controller.stop()


def csrf_of(html: str) -> str:
    """The CSRF token of the form in ``html``."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def answers(**changes: str) -> dict[str, str]:
    """A complete, valid form (Gers or Orne), with ``changes``."""
    base = {"first_name": "Camille", "last_name": "Durandal", "email": "camille@example.org",
            "phone": "+33 6 12 34 56 78", "origin_area": "Île-de-France",
            "origin_department": "75", "activity": "Développeuse web",
            "sector": "it_internet_ecommerce", "status": "independent",
            "timing": "within_a_year", "heard_from": "press",
            "message": "Je voudrais visiter un village.", "consent": "on"}
    base.update(changes)
    return {key: value for key, value in base.items() if value != ""}


def send_form(client: TestClient, path: str = "/gers/candidater", **changes: str) -> Any:
    """Open the form at ``path`` and send it with ``changes`` (no redirect followed)."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    return client.post(path, data={"csrf": csrf_of(page.text), **answers(**changes)},
                       follow_redirects=False)


def inquiries(instance: Instance, *, email: str | None = None) -> list[Inquiry]:
    """The stored inquiries that are not demo data (of ``email``, if given)."""
    with Session(instance.engine) as session:
        query = select(Inquiry).where(col(Inquiry.synthetic).is_(False))
        if email is not None:
            query = query.where(Inquiry.email == email)
        return list(session.exec(query.order_by(col(Inquiry.id))).all())
