"""Trends: each region's scalar indicators over time, from the snapshots the hub keeps.

One point per calendar day (UTC): the last snapshot harvested that day. Payloads are read
as plain JSON and defensively, so that snapshots of a later schema version, or with more
indicators, are read as far as they go and what is missing is skipped. A suppressed figure
stays without a value: nothing is ever recomputed from it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlalchemy import select as select_columns  # more columns than sqlmodel's select types
from sqlmodel import Session, col, select

from campagne.features.statistics.compare import KEY_ROWS, RETENTION_LABELS
from campagne.hub.models import HubSnapshot
from campagne.models import utc_now
from campagne.stats.schema import MAX_COUNT

MAX_DAYS = 366  # points per series at most: the last 366 days of the window
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)
KEY = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
RETENTION = re.compile(r"^retention_([1-9])$")
#: The indicators known by name, in the order shown, with their label (translated at display).
LABELS: dict[str, str] = {
    **{key: label for key, label, _unit in KEY_ROWS},
    **{f"retention_{years}": label for years, label in RETENTION_LABELS},
}
Number = int | float


class TrendQueryError(ValueError):
    """A query parameter that cannot be used; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Window:
    """The calendar days asked for, both included, at most :data:`MAX_DAYS` of them."""

    since: dt.date
    until: dt.date
    truncated: bool  # the days asked for were more than MAX_DAYS: the last ones are kept


def _day(text: str | dt.date | None, field: str) -> dt.date | None:
    if text is None or text == "":
        return None
    if isinstance(text, str):
        try:
            text = dt.date.fromisoformat(text)
        except ValueError:
            raise TrendQueryError(field, f"'{field}' is not a date (YYYY-MM-DD)") from None
    if not EARLIEST <= text <= LATEST:
        raise TrendQueryError(field, f"'{field}' must be between {EARLIEST} and {LATEST}")
    return text


def trend_window(since: str | dt.date | None, until: str | dt.date | None,
                 today: dt.date) -> Window:
    """The window of days asked for: by default the last :data:`MAX_DAYS` days until
    ``today``; a longer one keeps its last days. Raises :class:`TrendQueryError`."""
    first, last = _day(since, "since"), _day(until, "until")
    last = last or max(today, first or today)
    if first is not None and first > last:
        raise TrendQueryError("since", "'since' is after 'until'")
    earliest = last - dt.timedelta(days=MAX_DAYS - 1)
    if first is None:
        return Window(earliest, last, False)
    return Window(max(first, earliest), last, first < earliest)


class TrendPoint(BaseModel):
    """One region's value of one indicator on one day."""

    date: dt.date = Field(description="Day of the harvest (UTC)")
    harvested_at: dt.datetime = Field(description="When the snapshot was harvested")
    period_end: dt.date | None = Field(description="Last day the statistics cover")
    generated_at: dt.datetime | None = Field(description="When the instance computed them")
    value: Number | None = Field(description="Null when suppressed")
    suppressed: bool = Field(description="Withheld by disclosure control")


class TrendSeries(BaseModel):
    """One indicator of one region of one instance, day by day."""

    instance: str
    region: str
    region_name: str
    indicator: str
    unit: str = Field(description="'people', 'share' (0 to 1), 'days', 'per_100k_inhabitants'...")
    points: list[TrendPoint]


class Trends(BaseModel):
    """``/api/v1/network/trends``."""

    generated_at: dt.datetime
    since: dt.date
    until: dt.date
    max_days: int = Field(description="Points per series at most (one per day)")
    truncated: bool = Field(description="True when the days asked for were more than "
                                        "max_days: only the last max_days are given")
    indicator: str | None = Field(description="The indicator asked for; null: all of them")
    indicators: list[str] = Field(description="Every indicator found in the window")
    series: list[TrendSeries]


@dataclass(frozen=True)
class Reading:
    """An indicator as read from one payload."""

    value: Number | None
    suppressed: bool
    unit: str


def _number(value: Any) -> Number | None:
    """A figure that can be shown: a finite number from 0 to ``MAX_COUNT``, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value if 0 <= value <= MAX_COUNT else None  # False for NaN too


def _scalar(item: Mapping[str, Any], unit: str) -> Reading | None:
    """A ``{value, suppressed, available}`` object; None when unavailable or unreadable."""
    if item.get("available") is False:
        return None
    suppressed = item.get("suppressed") is True
    value = _number(item.get("value"))
    if not suppressed and value is None:
        return None
    unit = item["unit"] if isinstance(item.get("unit"), str) else unit
    return Reading(None if suppressed else value, suppressed, unit)


def read_indicators(payload: Any) -> Iterator[tuple[str, Reading]]:
    """Every scalar indicator of a statistics payload, whatever its schema version: objects
    with a ``value`` (counts and measures) and the retention shares by years."""
    indicators = payload.get("indicators") if isinstance(payload, dict) else None
    if not isinstance(indicators, dict):
        return
    for key, item in indicators.items():
        if key == "retention" and isinstance(item, list):
            yield from _retention(item)
        elif isinstance(item, dict) and "value" in item and "cells" not in item \
                and isinstance(key, str) and KEY.match(key):
            reading = _scalar(item, "people")
            if reading is not None:
                yield key, reading


def _retention(shares: list[Any]) -> Iterator[tuple[str, Reading]]:
    for share in shares:
        if not isinstance(share, dict) or not isinstance(share.get("years"), int):
            continue
        item = {"value": share.get("share", share.get("value")), "unit": "share",
                "suppressed": share.get("suppressed") is True
                or share.get("share", share.get("value")) is None}
        reading = _scalar(item, "share")
        if reading is not None and 1 <= share["years"] <= 9:
            yield f"retention_{share['years']}", reading


def indicator_order(keys: Iterable[str]) -> list[str]:
    """Known indicators first, in their order, then the others alphabetically."""
    found = set(keys)
    return [k for k in LABELS if k in found] + sorted(found - set(LABELS))


FIGURES_VERSION = 1  # of the summary kept in ``hub_snapshot.figures``


def _date(value: Any) -> str | None:
    try:
        return dt.date.fromisoformat(value).isoformat() if isinstance(value, str) else None
    except ValueError:
        return None


def _moment(value: Any) -> str | None:
    try:
        return dt.datetime.fromisoformat(value).isoformat() if isinstance(value, str) else None
    except ValueError:
        return None


def snapshot_figures(payload: Any) -> dict[str, Any]:
    """What trends need of a payload, read once when it is harvested: the region's name,
    the period's end, the generation time and every scalar indicator."""
    top = payload if isinstance(payload, dict) else {}
    region, period = top.get("region"), top.get("period")
    name = region.get("name") if isinstance(region, dict) else None
    return {
        "version": FIGURES_VERSION,
        "region_name": name if isinstance(name, str) else "",
        "period_end": _date(period.get("end")) if isinstance(period, dict) else None,
        "generated_at": _moment(top.get("generated_at")),
        "indicators": {key: {"value": r.value, "suppressed": r.suppressed, "unit": r.unit}
                       for key, r in read_indicators(payload)},
    }


@dataclass(frozen=True)
class DailySnapshot:
    """The last snapshot of a day of one series, as trends need it."""

    instance: str
    region: str
    harvested_at: dt.datetime
    figures: dict[str, Any]


def _bounds(window: Window) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(window.since, dt.time(), dt.UTC)
    return start, dt.datetime.combine(window.until + dt.timedelta(days=1), dt.time(), dt.UTC)


def _utc_day(session: Session) -> Any:
    """The UTC calendar day of ``harvested_at``, in SQL."""
    moment = col(HubSnapshot.harvested_at)
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", moment))
    return func.date(moment)  # SQLite keeps UTC times as ISO text


def daily_snapshots(session: Session, names: list[str],
                    window: Window) -> list[DailySnapshot]:
    """The last snapshot of each day of the window, per instance and region, ordered by
    instance (as in ``names``), region and time. The database picks them (from the series
    index); only their figures are read, or their payload when they have none."""
    start, end = _bounds(window)
    instance, region = col(HubSnapshot.instance_name), col(HubSnapshot.region_slug)
    moment, snapshot_id = col(HubSnapshot.harvested_at), col(HubSnapshot.id)
    ranked = (select(snapshot_id, func.row_number().over(
        partition_by=(instance, region, _utc_day(session)),
        order_by=(moment.desc(), snapshot_id.desc())).label("rank"))
        .where(instance.in_(names), moment >= start, moment < end).subquery())
    chosen = select(ranked.c.id).where(ranked.c.rank == 1)
    rows = session.execute(select_columns(snapshot_id, instance, region, moment,
                                          col(HubSnapshot.figures))
                           .where(snapshot_id.in_(chosen))).all()
    stale = [row[0] for row in rows if not _current(row[4])]
    payloads: dict[int | None, Any] = {}
    for offset in range(0, len(stale), 500):
        payloads.update(session.exec(select(snapshot_id, col(HubSnapshot.payload)).where(
            snapshot_id.in_(stale[offset:offset + 500]))).all())
    found = [DailySnapshot(name, slug, when.astimezone(dt.UTC), figures if _current(figures)
                           else snapshot_figures(payloads.get(key)))
             for key, name, slug, when, figures in rows]
    order = {name: index for index, name in enumerate(names)}
    return sorted(found, key=lambda s: (order[s.instance], s.region, s.harvested_at))


def _current(figures: Any) -> bool:
    return isinstance(figures, dict) and figures.get("version") == FIGURES_VERSION


def _point_date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


def _point_moment(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else None


def _kept_reading(kept: Any) -> Reading | None:
    """An indicator as kept in ``figures``, read again as defensively as a payload."""
    return _scalar(kept, "people") if isinstance(kept, dict) else None


def build_trends(snapshots: list[DailySnapshot], window: Window,
                 indicator: str | None) -> Trends:
    """The series of ``indicator`` (or of every indicator) from the daily ``snapshots``.
    Raises :class:`TrendQueryError` when ``indicator`` is neither known nor found."""
    series: dict[tuple[str, str, str], TrendSeries] = {}
    found: set[str] = set()
    for snapshot in snapshots:
        figures = snapshot.figures
        base = {"date": snapshot.harvested_at.date(), "harvested_at": snapshot.harvested_at,
                "period_end": _point_date(figures.get("period_end")),
                "generated_at": _point_moment(figures.get("generated_at"))}
        for key, kept in figures.get("indicators", {}).items():
            reading = _kept_reading(kept)
            if reading is None:
                continue
            found.add(key)
            if indicator is not None and key != indicator:
                continue
            line = series.setdefault((snapshot.instance, snapshot.region, key), TrendSeries(
                instance=snapshot.instance, region=snapshot.region, region_name="",
                indicator=key, unit=reading.unit, points=[]))
            line.region_name = figures.get("region_name") or snapshot.region  # newest wins
            line.points.append(TrendPoint(**base, value=reading.value,
                                          suppressed=reading.suppressed))
    if indicator is not None and indicator not in LABELS and indicator not in found:
        known = ", ".join(indicator_order([*LABELS, *found]))
        raise TrendQueryError("indicator", f"unknown indicator '{indicator[:60]}'; "
                                           f"one of: {known}")
    order = {key: index for index, key in enumerate(indicator_order([*LABELS, *found]))}
    ordered = sorted(series.values(), key=lambda s: order[s.indicator])  # stable: keeps rows
    return Trends(generated_at=utc_now(), since=window.since, until=window.until,
                  max_days=MAX_DAYS, truncated=window.truncated, indicator=indicator,
                  indicators=indicator_order(found), series=ordered)


CSV_COLUMNS = ("instance", "region", "indicator", "date", "harvested_at", "period_end",
               "generated_at", "value", "unit", "status")


def _text(value: object) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def trends_csv(trends: Trends) -> str:
    """One row per point (RFC 4180, CRLF line ends, a header line), in the style of the
    comparison's CSV: a suppressed figure has no value and the status ``suppressed``."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for line in trends.series:
        for point in line.points:
            writer.writerow({
                "instance": line.instance, "region": line.region, "indicator": line.indicator,
                "date": _text(point.date), "harvested_at": _text(point.harvested_at),
                "period_end": _text(point.period_end), "generated_at": _text(point.generated_at),
                "value": _text(point.value), "unit": line.unit,
                "status": "suppressed" if point.suppressed else "published"})
    return out.getvalue()
