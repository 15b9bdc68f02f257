"""Harvesting on a schedule, as a scheduled job (docs/decisions/0023-scheduled-jobs.md):
every ``harvest_every_seconds`` counted from the epoch is a due time, and a process
harvests for it only after recording the run in the hub's ``hub_job_run``, whose unique
(job, due time) pair lets one process have it, whatever the number of processes or hosts.
A harvest still running (within its deadline) keeps the next due time from starting
another one."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

from sqlalchemy import Engine

from campagne.hub.config import HubConfig
from campagne.hub.harvest import harvest_async
from campagne.hub.models import HubJobRun
from campagne.jobs.models import RunState
from campagne.jobs.runner import claim_run, finish_run, worker_name
from campagne.jobs.schedule import latest_slot
from campagne.models import utc_now

log = logging.getLogger(__name__)
JOB = "hub.harvest"
#: The longest pause between two looks at the schedule (a due time is never missed by more).
LOOK_EVERY_SECONDS = 30.0


def schedule_of(config: HubConfig) -> str:
    """The harvest's schedule: an interval of ``harvest_every_seconds``."""
    return f"every {config.harvest_every_seconds}s"


def take_due_harvest(engine: Engine, config: HubConfig, worker: str,
                     now: dt.datetime | None = None) -> dt.datetime | None:
    """Record ``worker``'s run of the harvest due at ``now``; its due time, or ``None``
    when another process has it or a harvest is still running."""
    slot = latest_slot(schedule_of(config), now or utc_now())
    running_at_most = dt.timedelta(seconds=config.harvest_deadline_seconds + 30)
    taken = claim_run(engine, HubJobRun, JOB, slot, worker, exclusive=running_at_most)
    return slot if taken else None


async def harvest_forever(engine: Engine, config: HubConfig, stop: asyncio.Event) -> None:
    """Harvest at every due time this process records, until ``stop``."""
    worker = worker_name()
    pause = min(float(config.harvest_every_seconds), LOOK_EVERY_SECONDS)
    while not stop.is_set():
        try:
            slot = await asyncio.to_thread(take_due_harvest, engine, config, worker)
            if slot is not None:
                await _harvest_for(engine, config, slot)
        except Exception:  # the schedule must survive a database hiccup
            log.exception("harvest round failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=pause)


async def _harvest_for(engine: Engine, config: HubConfig, slot: dt.datetime) -> None:
    state, outcome = RunState.FAILED.value, "stopped before the end"
    try:
        results = await harvest_async(engine, config)
        state = RunState.DONE.value
        outcome = ", ".join(f"{r.instance}: {r.outcome}" for r in results)
        log.info("harvested %s", outcome)
    except Exception as exc:
        outcome = f"{type(exc).__name__}: {exc}"
        raise
    finally:  # also when cancelled at shutdown: the run is not left 'running'
        await asyncio.shield(asyncio.to_thread(finish_run, engine, HubJobRun, JOB, slot,
                                               state, outcome))
