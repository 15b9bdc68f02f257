"""One harvest: ask every member instance for its regions' statistics, validate them
against the schema and keep them as snapshots. Whatever an instance sends ends as its own
outcome (``ok``, ``invalid`` or ``unreachable``), never as the harvest's failure. Every
request has a deadline for its whole answer, and the harvest has its own: an instance
still being read when it passes is ``unreachable``."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import time
from dataclasses import dataclass

import httpx
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from campagne.hub.config import HubConfig, MemberInstance
from campagne.hub.fetch import InvalidAnswer, Limits, Unreachable, fetch_instance
from campagne.hub.models import HubInstance, HubSnapshot
from campagne.hub.trends import snapshot_figures
from campagne.models import utc_now
from campagne.stats.schema import StatsV1

log = logging.getLogger(__name__)
Status = str  # "ok", "stale", "unreachable" or "invalid"
UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass(frozen=True)
class HarvestResult:
    """What one harvest of one instance gave."""

    instance: str
    outcome: str  # "ok", "unreachable" or "invalid"
    regions: list[str]
    seconds: float
    error: str | None = None


def _clean(error: str) -> str:
    """An error as it may be stored and shown: printable, at most 400 characters."""
    return UNPRINTABLE.sub("?", error)[:400]


def _record(session: Session, member: MemberInstance, outcome: str, error: str | None,
            stats: list[StatsV1], now: dt.datetime) -> None:
    row = session.get(HubInstance, member.name) or HubInstance(name=member.name, url=member.url)
    row.url, row.last_attempt_at, row.last_outcome, row.last_error = member.url, now, outcome, error
    if outcome == "ok":
        row.last_success_at = now
    session.add(row)
    session.flush()
    for item in stats:
        payload = item.model_dump(mode="json")
        session.add(HubSnapshot(instance_name=member.name, region_slug=item.region.slug,
                                harvested_at=now, payload=payload,
                                figures=snapshot_figures(payload)))


def _store(engine: Engine, result: HarvestResult, member: MemberInstance,
           stats: list[StatsV1]) -> HarvestResult:
    """Keep the outcome and the snapshots; when they cannot be kept, the outcome says so."""
    for attempt in (result, None):
        try:
            with Session(engine) as session:
                if attempt is not None:
                    _record(session, member, attempt.outcome, attempt.error, stats, utc_now())
                else:
                    result = HarvestResult(member.name, "invalid", [], result.seconds,
                                           "its statistics could not be stored")
                    _record(session, member, result.outcome, result.error, [], utc_now())
                session.commit()
            return result
        except Exception:  # a database that refuses it must not stop the harvest
            log.exception("harvest of %s: could not store the outcome", member.name)
    return result


async def _harvest_one(client: httpx.AsyncClient, member: MemberInstance,
                       limits: Limits) -> tuple[HarvestResult, list[StatsV1]]:
    started = time.monotonic()
    outcome, error, stats = "ok", None, []
    try:
        stats = await fetch_instance(client, member, limits)
    except Unreachable as exc:
        outcome, error = "unreachable", str(exc)
    except InvalidAnswer as exc:
        outcome, error = "invalid", str(exc)
    except (httpx.HTTPError, OSError) as exc:
        outcome, error = "unreachable", f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # anything else it sent: its outcome, not the harvest's
        log.exception("harvest of %s failed", member.name)
        outcome, error = "invalid", f"its answer could not be read ({type(exc).__name__})"
    seconds = round(time.monotonic() - started, 3)
    return HarvestResult(member.name, outcome, [s.region.slug for s in stats], seconds,
                         None if error is None else _clean(error)), stats


async def harvest_async(engine: Engine, config: HubConfig, *,
                        transport: httpx.AsyncBaseTransport | None = None
                        ) -> list[HarvestResult]:
    """Harvest every instance once, ``parallel_instances`` at a time, within
    ``harvest_deadline_seconds``; each outcome is stored as soon as it is known (in a
    thread, one at a time). Cancelling it stops every request at once."""
    started = time.monotonic()
    gate, storing = asyncio.Semaphore(config.parallel_instances), asyncio.Lock()

    async def store(result: HarvestResult, member: MemberInstance,
                    stats: list[StatsV1]) -> HarvestResult:
        if result.error:
            log.warning("harvest of %s: %s", member.name, result.error)
        async with storing:
            return await asyncio.to_thread(_store, engine, result, member, stats)

    async def one(client: httpx.AsyncClient, member: MemberInstance) -> HarvestResult:
        async with gate:
            result, stats = await _harvest_one(client, member, Limits.of(config))
        return await store(result, member, stats)

    async with httpx.AsyncClient(timeout=httpx.Timeout(config.timeout_seconds),
                                 transport=transport, follow_redirects=False) as client:
        tasks = [asyncio.create_task(one(client, member)) for member in config.instances]
        try:
            _done, late = await asyncio.wait(tasks, timeout=config.harvest_deadline_seconds)
        finally:
            for task in tasks:
                task.cancel()  # only those still running: past the deadline, or cancelled
            await asyncio.gather(*tasks, return_exceptions=True)
    results = []
    for member, task in zip(config.instances, tasks, strict=True):
        if task in late or task.exception() is not None:
            error = (f"still answering when the harvest's deadline passed, after "
                     f"{config.harvest_deadline_seconds:g} s (harvest_deadline_seconds)"
                     if task in late else "its harvest failed")
            result = HarvestResult(member.name, "unreachable" if task in late else "invalid",
                                   [], round(time.monotonic() - started, 3), error)
            results.append(await store(result, member, []))
        else:
            results.append(task.result())
    return results


def harvest(engine: Engine, config: HubConfig, *,
            transport: httpx.AsyncBaseTransport | None = None) -> list[HarvestResult]:
    """Harvest every instance once (see :func:`harvest_async`); never raises for an
    instance. Call it from a thread without a running event loop."""
    return asyncio.run(harvest_async(engine, config, transport=transport))


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


def instance_status(row: HubInstance | None, has_snapshot: bool, stale_after: int,
                    now: dt.datetime) -> Status:
    """``invalid`` when the last answer was not valid; ``unreachable`` when the instance
    never answered; ``stale`` when the last good snapshot is too old or the last attempt
    failed; ``ok`` otherwise."""
    if row is None or row.last_attempt_at is None:
        return "stale"
    if row.last_outcome == "invalid":
        return "invalid"
    if row.last_outcome == "unreachable":
        return "stale" if has_snapshot else "unreachable"
    success = _aware(row.last_success_at)
    if success is None or now - success > dt.timedelta(seconds=stale_after):
        return "stale"
    return "ok"


def latest_snapshots(session: Session, names: list[str]) -> list[HubSnapshot]:
    """The newest snapshot of each region of each instance named, by instance then region."""
    newest = (select(func.max(HubSnapshot.id))
              .where(col(HubSnapshot.instance_name).in_(names))
              .group_by(col(HubSnapshot.instance_name), col(HubSnapshot.region_slug)))
    rows = session.exec(select(HubSnapshot).where(col(HubSnapshot.id).in_(newest))).all()
    order = {name: index for index, name in enumerate(names)}
    return sorted(rows, key=lambda row: (order[row.instance_name], row.region_slug))
