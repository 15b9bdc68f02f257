"""The worker's loop: a round of sending the outbox and of running the due jobs, a pause,
until told to stop. Run by ``campagne worker``, and in a thread of ``campagne demo`` so the
demo needs nothing else."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from campagne.instance import Instance
from campagne.jobs.registry import RegisteredJob, registered_jobs
from campagne.jobs.runner import run_due, worker_name
from campagne.outbox.sending import send_due
from campagne.settings import CampagneSettings

log = logging.getLogger(__name__)


def run_rounds(engine: Engine, settings: CampagneSettings, stop: threading.Event,
               instance: Instance | None = None) -> None:
    """Every ``outbox_interval_seconds`` until ``stop`` is set: send the due e-mails, then
    (given the ``instance`` and its region folders) run the due jobs. A database error is
    logged and the next round tries again."""
    jobs = registered_jobs(instance) if instance is not None else []
    name = worker_name()
    while not stop.is_set():
        _send_round(engine, settings)
        if instance is not None and jobs:
            _jobs_round(instance, jobs, name)
        stop.wait(settings.outbox_interval_seconds)


def _send_round(engine: Engine, settings: CampagneSettings) -> None:
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


def _jobs_round(instance: Instance, jobs: list[RegisteredJob], name: str) -> None:
    try:
        run_due(instance, jobs, worker=name)
    except SQLAlchemyError as exc:
        log.warning("the scheduled jobs could not be read: %s", type(exc).__name__)
    except Exception:  # a job's own failure is contained by run_due; this is the runner's
        log.exception("a round of scheduled jobs failed")


def start_in_background(instance: Instance) -> tuple[threading.Thread, threading.Event]:
    """Run :func:`run_rounds` for ``instance`` in a daemon thread; set the event to stop
    it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_rounds, args=(instance.engine, instance.settings, stop, instance),
        name="campagne-worker", daemon=True)
    thread.start()
    return thread, stop
