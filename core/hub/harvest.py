"""One harvest: ask every member instance for its regions' statistics, validate them
against the schema and keep them as snapshots. Whatever an instance sends ends as its own
outcome (``ok``, ``invalid`` or ``unreachable``), never as the harvest's failure. Every
request has a deadline for its whole answer, and the harvest has its own: an instance
still being read when it passes is ``unreachable``."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
import ssl
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


Outcome = tuple[HarvestResult, MemberInstance, list[StatsV1]]


def store_outcomes(engine: Engine, outcomes: list[Outcome]) -> list[HarvestResult]:
    """Keep several outcomes in one transaction; when the database refuses it, keep them
    one at a time, so that only those it refuses end as ``invalid`` (not stored)."""
    if len(outcomes) > 1:
        try:
            with Session(engine) as session:
                now = utc_now()
                for result, member, stats in outcomes:
                    _record(session, member, result.outcome, result.error, stats, now)
                session.commit()
            return [result for result, _member, _stats in outcomes]
        except Exception:
            log.warning("harvest: %d outcomes could not be stored together; "
                        "storing them one at a time", len(outcomes), exc_info=True)
    return [_store(engine, result, member, stats) for result, member, stats in outcomes]


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


class _Keeper:
    """Stores outcomes from one thread, one transaction at a time: the outcomes that come
    while a transaction runs are stored together in the next one."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.waiting: asyncio.Queue[tuple[Outcome, asyncio.Future[HarvestResult]]] = (
            asyncio.Queue())
        self.task = asyncio.create_task(self._run())

    async def store(self, result: HarvestResult, member: MemberInstance,
                    stats: list[StatsV1]) -> HarvestResult:
        """Store one outcome; the outcome as stored."""
        if result.error:
            log.warning("harvest of %s: %s", member.name, result.error)
        kept: asyncio.Future[HarvestResult] = asyncio.get_running_loop().create_future()
        self.waiting.put_nowait(((result, member, stats), kept))
        return await kept

    async def _run(self) -> None:
        batch: list[tuple[Outcome, asyncio.Future[HarvestResult]]] = []
        try:
            while True:
                batch = [await self.waiting.get()]
                while not self.waiting.empty():
                    batch.append(self.waiting.get_nowait())
                try:
                    stored = await asyncio.to_thread(store_outcomes, self.engine,
                                                     [outcome for outcome, _kept in batch])
                except Exception as exc:  # unexpected: those instances' harvests failed
                    log.exception("harvest: %d outcomes could not be stored", len(batch))
                    for _outcome, kept in batch:
                        if not kept.done():
                            kept.set_exception(exc)
                    continue
                for (_outcome, kept), result in zip(batch, stored, strict=True):
                    if not kept.done():
                        kept.set_result(result)
        finally:  # stopped with the harvest: nobody waits for ever
            while not self.waiting.empty():
                batch.append(self.waiting.get_nowait())
            for _outcome, kept in batch:
                kept.cancel()

    async def close(self) -> None:
        """Stop storing: by then nothing waits for it, unless the harvest is cancelled."""
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


def _client(config: HubConfig, tls: ssl.SSLContext,
            transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
    """A client for one instance: its own connection, reused for each of its requests and
    closed when its harvest ends; ``tls`` is shared (building one costs ~30 ms of CPU)."""
    return httpx.AsyncClient(timeout=httpx.Timeout(config.timeout_seconds), verify=tls,
                             transport=transport, follow_redirects=False)


async def harvest_async(engine: Engine, config: HubConfig, *,
                        transport: httpx.AsyncBaseTransport | None = None
                        ) -> list[HarvestResult]:
    """Harvest every instance once, ``parallel_instances`` at a time (each with its own
    connection), within ``harvest_deadline_seconds``; outcomes are stored as they come,
    from one thread, those that come together in one transaction. Cancelling it stops
    every request at once."""
    started = time.monotonic()
    gate, limits = asyncio.Semaphore(config.parallel_instances), Limits.of(config)
    tls = httpx.create_ssl_context()
    keeper = _Keeper(engine)

    async def one(member: MemberInstance) -> HarvestResult:
        async with gate, _client(config, tls, transport) as client:
            result, stats = await _harvest_one(client, member, limits)
        return await keeper.store(result, member, stats)

    try:
        tasks = [asyncio.create_task(one(member)) for member in config.instances]
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
                result = HarvestResult(member.name,
                                       "unreachable" if task in late else "invalid",
                                       [], round(time.monotonic() - started, 3), error)
                results.append(await keeper.store(result, member, []))
            else:
                results.append(task.result())
    finally:
        await keeper.close()
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
