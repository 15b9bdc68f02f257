"""One harvest: ask every member instance for its regions' statistics, validate them
against the schema and keep them as snapshots. Timeouts and retries are bounded: an
instance costs at most ``(retries + 1) * timeout`` seconds per request."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import ValidationError
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from campagne.hub.config import HubConfig, MemberInstance
from campagne.hub.models import HubInstance, HubSnapshot
from campagne.hub.trends import snapshot_figures
from campagne.models import utc_now
from campagne.stats.schema import StatsV1

log = logging.getLogger(__name__)
MAX_REGIONS = 200  # an instance listing more is answering something else
Status = str  # "ok", "stale", "unreachable" or "invalid"


class Unreachable(Exception):
    """The instance did not answer (connection refused, timeout, server error)."""


class InvalidAnswer(Exception):
    """The instance answered something that is not statistics of schema version 1."""


@dataclass(frozen=True)
class HarvestResult:
    """What one harvest of one instance gave."""

    instance: str
    outcome: str  # "ok", "unreachable" or "invalid"
    regions: list[str]
    seconds: float
    error: str | None = None


def _get_json(client: httpx.Client, url: str, retries: int) -> Any:
    """GET ``url`` as JSON, retrying transport and server errors ``retries`` times."""
    last: Exception | None = None
    for attempt in range(retries + 1):
        try:
            answer = client.get(url, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            last = exc
        else:
            if answer.status_code < 500:
                if answer.status_code != 200:
                    raise InvalidAnswer(f"{url} answered {answer.status_code}")
                try:
                    return answer.json()
                except ValueError as exc:
                    raise InvalidAnswer(f"{url} did not answer JSON") from exc
            last = Unreachable(f"{url} answered {answer.status_code}")
        if attempt < retries:
            time.sleep(min(0.2 * (attempt + 1), 1.0))
    raise Unreachable(f"{type(last).__name__}: {last}"[:400])


def fetch_instance(client: httpx.Client, member: MemberInstance,
                   retries: int) -> list[StatsV1]:
    """The validated statistics of every region ``member`` serves."""
    listing = _get_json(client, f"{member.url}/api/v1/regions", retries)
    if not isinstance(listing, list) or len(listing) > MAX_REGIONS or not all(
            isinstance(item, dict) and isinstance(item.get("slug"), str) for item in listing):
        raise InvalidAnswer("the list of regions is not valid")
    stats = []
    for item in listing:
        payload = _get_json(client, f"{member.url}/api/v1/regions/{item['slug']}/stats",
                            retries)
        try:
            stats.append(StatsV1.model_validate(payload))
        except ValidationError as exc:
            raise InvalidAnswer(f"statistics of '{item['slug']}' do not follow schema 1: "
                                f"{exc.error_count()} error(s)") from None
    return stats


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


def harvest(engine: Engine, config: HubConfig, *, transport: httpx.BaseTransport | None = None
            ) -> list[HarvestResult]:
    """Harvest every instance once, one after the other; never raises for an instance."""
    results = []
    timeout = httpx.Timeout(config.timeout_seconds)
    with httpx.Client(timeout=timeout, transport=transport, follow_redirects=False) as client:
        for member in config.instances:
            started = time.monotonic()
            outcome, error, stats = "ok", None, []
            try:
                stats = fetch_instance(client, member, config.retries)
            except Unreachable as exc:
                outcome, error = "unreachable", str(exc)
            except InvalidAnswer as exc:
                outcome, error = "invalid", str(exc)
            with Session(engine) as session:
                _record(session, member, outcome, error, stats, utc_now())
                session.commit()
            if error:
                log.warning("harvest of %s: %s", member.name, error)
            results.append(HarvestResult(member.name, outcome, [s.region.slug for s in stats],
                                         round(time.monotonic() - started, 3), error))
    return results


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
