"""The jobs an instance runs: those its plug-ins register, with the schedules the settings
give them."""

from __future__ import annotations

from dataclasses import dataclass

from campagne.instance import Instance
from campagne.jobs.schedule import OFF
from campagne.plugin_types import ScheduledJob


@dataclass(frozen=True)
class RegisteredJob:
    """A plug-in's job as this instance runs it."""

    name: str
    plugin: str
    job: ScheduledJob
    schedule: str

    @property
    def switched_off(self) -> bool:
        """Whether ``CAMPAGNE_JOB_SCHEDULES`` switched it off."""
        return self.schedule == OFF


def registered_jobs(instance: Instance) -> list[RegisteredJob]:
    """Every job of the instance's plug-ins, by full name (``plugin.job``); a second job
    of the same full name is dropped and recorded as its plug-in's failure."""
    overrides = instance.settings.job_schedules
    jobs: dict[str, RegisteredJob] = {}
    for plugin, job in instance.plugins.scheduled_jobs():
        name = f"{plugin}.{job.name}"
        if name in jobs:
            instance.plugins.record_failure(plugin, "scheduled_jobs", None,
                                            ValueError(f"job {name} is registered twice"))
            continue
        jobs[name] = RegisteredJob(name=name, plugin=plugin, job=job,
                                   schedule=overrides.get(name, job.schedule))
    return sorted(jobs.values(), key=lambda item: item.name)


def unknown_overrides(instance: Instance, jobs: list[RegisteredJob]) -> list[str]:
    """Names in ``CAMPAGNE_JOB_SCHEDULES`` that no job has (a typo would otherwise be
    silently ignored)."""
    known = {job.name for job in jobs}
    return sorted(set(instance.settings.job_schedules) - known)
