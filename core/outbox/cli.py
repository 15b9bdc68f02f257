"""``campagne worker``: send the mail outbox until SIGTERM or Ctrl-C.

Without ``--db`` and ``CAMPAGNE_DATABASE_URL``, a ``campagne-demo.db`` in the current folder
is used, as by ``campagne users``."""

from __future__ import annotations

import argparse
import signal
import threading
from types import FrameType

from campagne.db import make_engine
from campagne.outbox.sending import send_due
from campagne.outbox.worker import run_rounds
from campagne.settings import settings_for


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``worker`` to the command-line grammar."""
    worker = commands.add_parser("worker", help="send the queued e-mails (runs until stopped)")
    worker.add_argument("--once", action="store_true",
                        help="send what is due now, then stop")
    worker.add_argument("--db", default=None, help="database URL (else CAMPAGNE_DATABASE_URL)")


def run(args: argparse.Namespace) -> int:
    """Run ``worker``; return the exit status (0 once stopped)."""
    settings = settings_for(args.db)
    engine = make_engine(settings.database_url)
    try:
        if args.once:
            report = send_due(engine, settings, limit=settings.outbox_batch)
            print(f"{report.sent} sent, {report.retried} to retry, {report.failed} failed.")
            return 0
        stop = threading.Event()

        def _stop(_signal: int, _frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        print(f"Sending the outbox every {settings.outbox_interval_seconds:g} s; "
              "stop with Ctrl-C or SIGTERM.", flush=True)
        run_rounds(engine, settings, stop)
        return 0
    finally:
        engine.dispose()
