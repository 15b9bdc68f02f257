"""The scheduled jobs: a last run that failed, or no run for more than twice the job's
period (no worker runs the jobs?)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect

from campagne.doctor.finding import Deployment, Finding, as_utc, fail, ok, warn
from campagne.jobs.models import JobRun, RunState
from campagne.jobs.registry import RegisteredJob, registered_jobs
from campagne.jobs.runner import last_runs
from campagne.jobs.schedule import latest_slot, next_slot

CHECK = "jobs"


def check_jobs(deployment: Deployment) -> list[Finding]:
    """Each job's last run against its schedule (needs the region folders)."""
    instance = deployment.instance
    if instance is None or not inspect(instance.engine).has_table(JobRun.__tablename__):
        return []
    jobs = [job for job in registered_jobs(instance) if not job.switched_off]
    latest = last_runs(instance, [job.name for job in jobs])
    folders = " ".join(str(path) for path in deployment.region_dirs)
    findings = []
    for job in jobs:
        run = latest.get(job.name)
        if run is None:
            findings.append(warn(CHECK, f"job {job.name} has never run",
                                 f"start campagne worker {folders} (it runs the jobs), or "
                                 f"run it once: campagne jobs --run {job.name} {folders}"))
        elif run.state == RunState.FAILED.value:
            findings.append(fail(CHECK, f"the last run of job {job.name} "
                                        f"({as_utc(run.slot):%Y-%m-%d %H:%M} UTC) failed: "
                                        f"{run.outcome or 'no reason recorded'}",
                                 f"correct the cause, then run it again: campagne jobs --run "
                                 f"{job.name} {folders}"))
        elif deployment.now - as_utc(run.slot) > 2 * period(job, deployment.now):
            findings.append(warn(CHECK, f"job {job.name} ({job.schedule}) last ran at "
                                        f"{as_utc(run.slot):%Y-%m-%d %H:%M} UTC, more than two "
                                        "periods ago",
                                 f"check that campagne worker {folders} runs (with the "
                                 "region folders: without them it runs no job)"))
    return findings or [ok(CHECK, f"{len(jobs)} scheduled job(s) ran on time")]


def period(job: RegisteredJob, now: dt.datetime) -> dt.timedelta:
    """The time between the job's due time before ``now`` and the next one."""
    previous = latest_slot(job.schedule, now)
    return next_slot(job.schedule, previous) - previous
