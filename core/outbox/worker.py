"""The loop that drains the outbox: a round of sending, a pause, until told to stop. Run by
``campagne worker``, and in a thread of ``campagne demo`` so the demo needs nothing else."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from campagne.outbox.sending import send_due
from campagne.settings import CampagneSettings

log = logging.getLogger(__name__)


def run_rounds(engine: Engine, settings: CampagneSettings, stop: threading.Event) -> None:
    """Send the due e-mails every ``outbox_interval_seconds`` until ``stop`` is set; a
    database error is logged and the next round tries again."""
    while not stop.is_set():
        try:
            report = send_due(engine, settings, limit=settings.outbox_batch)
        except SQLAlchemyError as exc:
            log.warning("the outbox could not be read: %s", type(exc).__name__)
        except Exception:  # the worker outlives one bad round (logged with its traceback)
            log.exception("a round of sending the outbox failed")
        else:
            if report.sent or report.retried or report.failed:
                log.info("outbox: %d sent, %d to retry, %d failed", report.sent,
                         report.retried, report.failed)
        stop.wait(settings.outbox_interval_seconds)


def start_in_background(engine: Engine,
                        settings: CampagneSettings) -> tuple[threading.Thread, threading.Event]:
    """Run :func:`run_rounds` in a daemon thread; set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=run_rounds, args=(engine, settings, stop),
                              name="campagne-outbox", daemon=True)
    thread.start()
    return thread, stop
