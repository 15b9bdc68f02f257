"""Harvesting on a schedule, safely with several workers: a process harvests only while
it holds the ``harvest`` lease, a row of the hub's database taken by compare-and-set, so
one harvest runs per interval whatever the number of processes or hosts."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
import uuid

from sqlalchemy import Engine, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from campagne.hub.config import HubConfig
from campagne.hub.harvest import harvest_async
from campagne.hub.models import HubLease
from campagne.models import utc_now

log = logging.getLogger(__name__)
LEASE = "harvest"


def new_holder() -> str:
    """A name for this process, unique across hosts and restarts."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def acquire_lease(engine: Engine, holder: str, seconds: float,
                  now: dt.datetime | None = None) -> bool:
    """Take or renew the lease for ``seconds``; False when another holder has it."""
    now = now or utc_now()
    expires = now + dt.timedelta(seconds=seconds)
    with Session(engine) as session:
        taken = session.exec(
            update(HubLease).where(col(HubLease.name) == LEASE, or_(
                col(HubLease.holder) == holder, col(HubLease.expires_at) < now))
            .values(holder=holder, expires_at=expires))
        if taken.rowcount == 1:
            session.commit()
            return True
        if session.get(HubLease, LEASE) is not None:
            return False
        session.add(HubLease(name=LEASE, holder=holder, expires_at=expires))
        try:
            session.commit()
        except IntegrityError:  # another process created it first
            return False
        return True


async def harvest_forever(engine: Engine, config: HubConfig, stop: asyncio.Event) -> None:
    """Harvest every ``harvest_every_seconds`` while holding the lease, until ``stop``."""
    holder = new_holder()
    interval = config.harvest_every_seconds
    # Held for the whole harvest, even one longer than the interval: one harvest at a time.
    lease = max(interval * 0.9, config.harvest_deadline_seconds + 30)
    while not stop.is_set():
        try:
            if await asyncio.to_thread(acquire_lease, engine, holder, lease):
                results = await harvest_async(engine, config)
                log.info("harvested %s", ", ".join(f"{r.instance}: {r.outcome}"
                                                   for r in results))
        except Exception:  # the schedule must survive a database hiccup
            log.exception("harvest round failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
