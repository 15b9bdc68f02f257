"""A ``campagne worker`` process killed (SIGKILL) in the middle of an SMTP conversation, on
SQLite and PostgreSQL: the mail server never accepted the message, the rows the dead worker
had taken wait for their lease to end, and the next worker sends every e-mail exactly once.

The server holds the worker at its ``RCPT TO`` until the test has killed it: the test waits
for events, not for time (the timeouts below only stop a broken run from hanging)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import threading
from collections import Counter
from typing import Any

from aiosmtpd.controller import Controller
from cli_kit import campagne_command
from mail_kit import Inbox, free_port
from sqlmodel import Session, col, select

from campagne.db import make_engine, upgrade
from campagne.models import utc_now
from campagne.outbox.models import OutboxMail
from campagne.outbox.queue import queue_mail
from campagne.outbox.sending import send_due
from campagne.settings import CampagneSettings

SAFETY_SECONDS = 120


class StallingInbox(Inbox):
    """An inbox whose first conversation stops at ``RCPT TO`` until released."""

    def __init__(self) -> None:
        super().__init__()
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if not self.stalled.is_set():
            self.stalled.set()
            await asyncio.get_running_loop().run_in_executor(
                None, self.release.wait, SAFETY_SECONDS)
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_worker_killed_mid_conversation_loses_nothing_and_sends_nothing_twice(
        database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    port = free_port()
    settings = CampagneSettings(smtp_host="127.0.0.1", smtp_port=port)
    with Session(engine) as session:
        queued = [queue_mail(session, settings, kind="test", to=f"p{n}@example.org",
                             subject=f"Message {n}", body="Bonjour\n") for n in range(3)]
        session.commit()
        ids = {mail.message_id for mail in queued if mail is not None}
    inbox = StallingInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ready_timeout=60)
    controller.start()
    env = {**os.environ, "CAMPAGNE_LOAD_ENTRY_POINTS": "false",
           "CAMPAGNE_SMTP_HOST": "127.0.0.1", "CAMPAGNE_SMTP_PORT": str(port)}
    worker = subprocess.Popen([*campagne_command(), "worker", "--once", "--db", database_url],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert inbox.stalled.wait(SAFETY_SECONDS), "the worker never reached RCPT TO"
        worker.kill()
        worker.wait(SAFETY_SECONDS)
    finally:
        inbox.release.set()
    try:
        with Session(engine) as session:
            taken = session.exec(select(OutboxMail).order_by(col(OutboxMail.id))).all()
            assert {(m.state, m.attempts) for m in taken} == {("sending", 1)}
            lease_end = max(m.next_attempt_at for m in taken)
        assert inbox.messages == []
        assert send_due(engine, settings, limit=10, now=lease_end - dt.timedelta(seconds=1)
                        ).sent == 0
        assert send_due(engine, settings, limit=10, now=lease_end).sent == 3
        assert send_due(engine, settings, limit=10,
                        now=utc_now() + dt.timedelta(days=1)).sent == 0
    finally:
        controller.stop()
        engine.dispose()
    received = Counter(m["Message-ID"] for m in inbox.messages)
    assert set(received) == ids and set(received.values()) == {1}

