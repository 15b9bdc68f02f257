"""``campagne worker``: a round of sending then the pause, as long as it is not stopped; the
command stops cleanly on SIGTERM. Nothing here waits for the worker's interval."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from pathlib import Path

import pytest
from cli_kit import campagne_command
from mail_kit import smtp_server
from sqlmodel import Session

from campagne.db import make_engine, upgrade
from campagne.outbox.queue import queue_mail
from campagne.settings import CampagneSettings
from campagne.worker import run_rounds


class OneRound(threading.Event):
    """A stop signal that comes during the first pause."""

    def wait(self, timeout: float | None = None) -> bool:
        """Stop instead of pausing."""
        self.set()
        return True


def test_a_round_sends_what_is_due_then_the_loop_stops(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    upgrade(engine)
    with smtp_server(monkeypatch) as inbox:
        settings = CampagneSettings()
        with Session(engine) as session:
            queue_mail(session, settings, kind="test", to="a@example.org", subject="Bonjour",
                       body="Bonjour\n")
            session.commit()
        stop = OneRound()
        run_rounds(engine, settings, stop)
    assert stop.is_set() and [m["To"] for m in inbox.messages] == ["a@example.org"]
    engine.dispose()


def test_the_command_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'w.db'}"
    engine = make_engine(database)
    upgrade(engine)
    engine.dispose()
    env = {**os.environ, "CAMPAGNE_LOAD_ENTRY_POINTS": "false",
           "CAMPAGNE_OUTBOX_INTERVAL_SECONDS": "3600"}
    process = subprocess.Popen([*campagne_command(), "worker", "--db", database], cwd=tmp_path,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        assert first_line.startswith(b"Sending the outbox every 3600 s and no region folders")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
