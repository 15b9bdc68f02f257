"""Statistics as flat rows, for CSV (standard ``csv`` module): one row per published
figure, so that a spreadsheet reads it without knowing the JSON schema."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from campagne.stats.schema import Count, Measure, StatsV1, Table

COLUMNS = ("region", "period_start", "period_end", "indicator", "key", "value", "unit",
           "status")
Row = dict[str, str]


def _status(available: bool, suppressed: bool) -> str:
    return "unavailable" if not available else "suppressed" if suppressed else "published"


def _value(value: float | int | None) -> str:
    return "" if value is None else str(value)


def stats_rows(stats: StatsV1) -> list[Row]:
    """Every figure of ``stats`` as a row; suppressed and unavailable ones have no value."""
    base = {"region": stats.region.slug, "period_start": _value(None) if stats.period.start
            is None else stats.period.start.isoformat(), "period_end": stats.period.end.isoformat()}
    rows: list[Row] = []

    def add(indicator: str, key: str, value: float | int | None, unit: str, status: str) -> None:
        rows.append({**base, "indicator": indicator, "key": key, "value": _value(value),
                     "unit": unit, "status": status})

    for name, item in stats.indicators:
        if isinstance(item, Count):
            add(name, "", item.value, "people", _status(item.available, item.suppressed))
        elif isinstance(item, Measure):
            add(name, "", item.value, item.unit, _status(item.available, item.suppressed))
        elif isinstance(item, Table):
            add(name, "total", item.total, "people",
                "published" if item.total is not None else "not_published")
            for cell in item.cells:
                add(name, cell.key, cell.value, "people", _status(True, cell.suppressed))
        else:  # retention
            for share in item:
                add(name, f"{share.years}_years", share.share, "share",
                    _status(True, share.suppressed))
    for extra in stats.extra:
        add(f"extra.{extra.plugin}", extra.key, extra.value, extra.unit,
            _status(True, extra.suppressed))
    return rows


def to_csv(rows: Iterable[Row]) -> str:
    """Rows as CSV text (RFC 4180, CRLF line ends, a header line)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
