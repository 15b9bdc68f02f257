"""Running the jobs that are due, each once per due time whatever the number of workers.

A worker records a run in ``job_run`` before doing the work; the table's unique
(job, slot) pair lets only one worker record it, the others skip it. Only the latest due
time is run: a worker stopped for three days runs a daily job once when it comes back."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from campagne.instance import Instance
from campagne.jobs.models import JobRun, RunState
from campagne.jobs.registry import RegisteredJob
from campagne.jobs.schedule import latest_slot
from campagne.models import utc_now
from campagne.plugin_types import JobContext

log = logging.getLogger(__name__)
OUTCOME_LENGTH = 500


@dataclass(frozen=True)
class RunReport:
    """What became of one job in one round."""

    job: str
    state: str
    outcome: str | None


def worker_name() -> str:
    """A name for this process, unique across hosts and restarts."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def run_due(instance: Instance, jobs: list[RegisteredJob], *, worker: str,
            now: dt.datetime | None = None) -> list[RunReport]:
    """Run each job whose latest due time has no run yet; return what was run."""
    now = now or utc_now()
    reports = []
    for job in jobs:
        if job.switched_off:
            continue
        slot = latest_slot(job.schedule, now)
        if claim(instance, job.name, slot, worker):
            reports.append(execute(instance, job, slot))
    return reports


def run_now(instance: Instance, job: RegisteredJob, *, worker: str,
            now: dt.datetime | None = None) -> RunReport:
    """Run ``job`` at once (``campagne jobs run``), recorded for the current second; a run
    already recorded for that second is not repeated."""
    slot = (now or utc_now()).replace(microsecond=0)
    if not claim(instance, job.name, slot, worker):
        return RunReport(job.name, "skipped", "another worker ran it at this second")
    return execute(instance, job, slot)


def claim(instance: Instance, job: str, slot: dt.datetime, worker: str) -> bool:
    """Record that ``worker`` runs ``job`` for ``slot``; False when a run is recorded."""
    return claim_run(instance.engine, JobRun, job, slot, worker)


def claim_run(engine: Engine, table: type[Any], job: str, slot: dt.datetime, worker: str,
              *, exclusive: dt.timedelta | None = None) -> bool:
    """Insert ``table``'s row for (``job``, ``slot``) as ``worker``'s run; False when one is
    recorded (another worker has it). With ``exclusive``, also False while a run of the job
    started less than that long ago is still ``running`` (one run at a time)."""
    with Session(engine) as session:
        if session.exec(select(table.id).where(table.job == job,
                                               table.slot == slot)).first() is not None:
            return False
        if exclusive is not None and session.exec(select(table.id).where(
                table.job == job, table.state == RunState.RUNNING.value,
                table.started_at > utc_now() - exclusive)).first() is not None:
            return False
        session.add(table(job=job, slot=slot, worker=worker[:80], started_at=utc_now()))
        try:
            session.commit()
        except IntegrityError:  # another worker recorded it between the read and the write
            return False
    return True


def finish_run(engine: Engine, table: type[Any], job: str, slot: dt.datetime, state: str,
               outcome: str | None) -> None:
    """Record how the run of ``job`` for ``slot`` ended."""
    text = None if outcome is None else str(outcome)[:OUTCOME_LENGTH]
    with Session(engine) as session:
        run = session.exec(select(table).where(table.job == job, table.slot == slot)).one()
        run.state, run.outcome, run.finished_at = state, text, utc_now()
        session.commit()


def execute(instance: Instance, job: RegisteredJob, slot: dt.datetime) -> RunReport:
    """Run ``job`` for ``slot`` and record how it went; a failure is contained."""
    context = _context(instance, job, slot)
    try:
        outcome = job.job.run(context)
        state = RunState.DONE.value
    except Exception as exc:  # noqa: BLE001 - one failing job must not stop the others
        instance.plugins.record_failure(job.plugin, "scheduled_jobs", None, exc)
        outcome, state = f"{type(exc).__name__}: {exc}", RunState.FAILED.value
    text = None if outcome is None else str(outcome)[:OUTCOME_LENGTH]
    finish_run(instance.engine, JobRun, job.name, slot, state, text)
    log.log(logging.INFO if state == RunState.DONE.value else logging.WARNING,
            "job %s (%s): %s%s", job.name, slot.isoformat(), state,
            f", {text}" if text else "")
    return RunReport(job.name, state, text)


def _context(instance: Instance, job: RegisteredJob, slot: dt.datetime) -> JobContext:
    record = instance.plugins.records[job.plugin]
    regions = tuple(folder.info() for slug, folder in sorted(instance.regions.items())
                    if slug in record.settings)
    return JobContext(now=slot, settings=instance.settings, regions=regions,
                      store_for=lambda slug: instance.plugins.store(job.plugin, slug),
                      instance=instance)


def last_runs(instance: Instance, names: list[str]) -> dict[str, JobRun]:
    """The latest recorded run of each of ``names`` (those never run are absent)."""
    latest: dict[str, JobRun] = {}
    with Session(instance.engine) as session:
        for name in names:
            run = session.exec(select(JobRun).where(JobRun.job == name)
                               .order_by(col(JobRun.slot).desc(), col(JobRun.id).desc())
                               .limit(1)).first()
            if run is not None:
                latest[name] = run
    return latest
