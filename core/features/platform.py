"""The instance itself: liveness, the list of regions and of the loaded plug-ins, and the
nightly retention run."""

from __future__ import annotations

from sqlmodel import Session

from campagne import worker_cli
from campagne.api import health, plugins, regions
from campagne.backup import cli as backup_cli
from campagne.doctor import cli as doctor_cli
from campagne.features import Feature
from campagne.hookspecs import hookimpl
from campagne.jobs import pages as job_pages
from campagne.observability import route as metrics_route
from campagne.plugin_types import Commands, JobContext, Routes, ScheduledJob

FEATURE = Feature("platform", switchable=False)


@hookimpl
def app_routes() -> list[Routes]:
    """``/healthz``, ``/readyz``, ``/metrics``, ``/api/v1/regions``, ``/api/v1/plugins`` and
    the administrators' page of the scheduled jobs (``/admin/jobs``)."""
    return [Routes(health.router, order=100), Routes(metrics_route.router, order=100),
            Routes(regions.router, order=101),
            Routes(plugins.router, order=104), Routes(job_pages.admin, order=405)]


@hookimpl
def cli_commands() -> list[Commands]:
    """``campagne worker`` (the mail outbox and the scheduled jobs), ``campagne jobs``,
    ``campagne backup``, ``campagne restore`` and ``campagne doctor``."""
    return [Commands(names=("worker", "jobs"), add_parsers=worker_cli.add_parsers,
                     run=worker_cli.run),
            Commands(names=("backup", "restore"), add_parsers=backup_cli.add_parsers,
                     run=backup_cli.run),
            Commands(names=("doctor",), add_parsers=doctor_cli.add_parsers,
                     run=doctor_cli.run)]


@hookimpl
def scheduled_jobs() -> list[ScheduledJob]:
    """``purge``: what ``campagne purge`` does, every night at 3:30."""
    return [ScheduledJob("purge", "30 3 * * *", _purge,
                         description="Anonymise and delete what is past its retention period")]


def _purge(context: JobContext) -> str:
    # Imported when run: the retention modules import every feature's tables.
    from campagne.purge_run import purge_all

    with Session(context.instance.engine) as session:
        return purge_all(session, context.instance, dry_run=False).summary()
