"""``campagne worker``: send the mail outbox and run the scheduled jobs until SIGTERM or
Ctrl-C; ``campagne jobs``: list the scheduled jobs and their last runs, or run one now
(``--run JOB``).

Without ``--db`` and ``CAMPAGNE_DATABASE_URL``, a ``campagne-demo.db`` in the current folder
is used, as by ``campagne users``. The jobs need the region folders served (arguments or
``CAMPAGNE_REGION_DIRS``); without them the worker only sends e-mail."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from sqlalchemy import Engine

from campagne.db import make_engine
from campagne.instance import Instance
from campagne.jobs.registry import RegisteredJob, registered_jobs, unknown_overrides
from campagne.jobs.runner import last_runs, run_due, run_now, worker_name
from campagne.jobs.schedule import next_slot
from campagne.models import utc_now
from campagne.outbox.sending import send_due
from campagne.settings import CampagneSettings, settings_for
from campagne.worker import run_rounds

EXIT_USAGE = 2


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``worker`` and ``jobs`` to the command-line grammar."""
    worker = commands.add_parser(
        "worker", help="send the queued e-mails and run the scheduled jobs (until stopped)")
    worker.add_argument("--once", action="store_true",
                        help="send what is due and run the jobs due now, then stop")
    _common(worker)
    jobs = commands.add_parser("jobs", help="list the scheduled jobs, or run one now")
    jobs.add_argument("--run", default=None, metavar="JOB",
                      help="run this job now (its full name, as listed)")
    _common(jobs)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=None, help="database URL (else CAMPAGNE_DATABASE_URL)")
    parser.add_argument(
        "region_dirs", nargs="*", type=Path, metavar="REGION_DIR",
        help="the region folders served (else CAMPAGNE_REGION_DIRS): the jobs of their "
             "features and plug-ins run")


def run(args: argparse.Namespace) -> int:
    """Run ``worker`` or ``jobs``; return the exit status."""
    settings = settings_for(args.db)
    has_regions = bool(args.region_dirs or settings.region_dirs)
    if args.command == "jobs":
        if not has_regions:
            print("campagne: jobs needs the region folders served (arguments or "
                  "CAMPAGNE_REGION_DIRS)", file=sys.stderr)
            return EXIT_USAGE
        return _jobs(args, _instance(settings, args.region_dirs))
    instance = _instance(settings, args.region_dirs) if has_regions else None
    engine = instance.engine if instance is not None else make_engine(settings.database_url)
    try:
        return _worker(args, settings, engine, instance)
    finally:
        engine.dispose()


def _instance(settings: CampagneSettings, paths: list[Path]) -> Instance:
    """The instance as ``campagne serve`` prepares it: migrated, regions copied in."""
    from campagne.cli import prepare  # the command line's module imports the features

    return prepare(settings, [*paths] or [Path(p) for p in settings.region_dirs],
                   with_demo_data=False)


def _worker(args: argparse.Namespace, settings: CampagneSettings, engine: Engine,
            instance: Instance | None) -> int:
    jobs = registered_jobs(instance) if instance is not None else []
    if instance is not None:
        for name in unknown_overrides(instance, jobs):
            print(f"campagne: CAMPAGNE_JOB_SCHEDULES names no job {name!r}", file=sys.stderr)
    if args.once:
        report = send_due(engine, settings, limit=settings.outbox_batch)
        print(f"{report.sent} sent, {report.retried} to retry, {report.failed} failed.")
        if instance is not None:
            for ran in run_due(instance, jobs, worker=worker_name()):
                print(f"job {ran.job}: {ran.state}{f', {ran.outcome}' if ran.outcome else ''}")
        return 0
    stop = threading.Event()

    def _stop(_signal: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    what = (f"running {len(jobs)} scheduled job(s)" if instance is not None
            else "no region folders given, so no scheduled jobs")
    print(f"Sending the outbox every {settings.outbox_interval_seconds:g} s and {what}; "
          "stop with Ctrl-C or SIGTERM.", flush=True)
    run_rounds(engine, settings, stop, instance)
    return 0


def _jobs(args: argparse.Namespace, instance: Instance) -> int:
    try:
        jobs = registered_jobs(instance)
        if args.run is not None:
            return _run_one(instance, jobs, args.run)
        _print_jobs(instance, jobs)
        return 0
    finally:
        instance.engine.dispose()


def _run_one(instance: Instance, jobs: list[RegisteredJob], name: str | None) -> int:
    chosen = next((job for job in jobs if job.name == name), None)
    if chosen is None:
        known = ", ".join(job.name for job in jobs)
        print(f"campagne: no job {name!r}; the jobs are: {known}", file=sys.stderr)
        return EXIT_USAGE
    ran = run_now(instance, chosen, worker=worker_name())
    print(f"job {ran.job}: {ran.state}{f', {ran.outcome}' if ran.outcome else ''}")
    return 0 if ran.state != "failed" else 1


def _print_jobs(instance: Instance, jobs: list[RegisteredJob]) -> None:
    latest = last_runs(instance, [job.name for job in jobs])
    now = utc_now()
    print("job\tschedule (Paris time)\tnext\tlast run\tstate\toutcome")
    for job in jobs:
        run = latest.get(job.name)
        following = "off" if job.switched_off else next_slot(job.schedule, now).isoformat()
        last = (run.slot.isoformat(), run.state, run.outcome or "") if run else ("never", "", "")
        print("\t".join((job.name, job.schedule, following, *last)))
