"""A region's statistics as published: computed once per change of its records and kept
in memory with their serialised body and entity tag (:mod:`campagne.revisions`)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from campagne.features.statistics.engine import StatsOptions, compute_stats, last_change
from campagne.instance import Instance
from campagne.regions import RegionFolder
from campagne.revisions.cache import region_figure
from campagne.stats.period import Period
from campagne.stats.schema import StatsV1


def entity_tag(payload: Any, kind: str) -> str:
    """A weak tag of the figures (the generation time left out: same figures, same tag)."""
    digest = hashlib.sha256(f"{kind}:{payload}".encode()).hexdigest()[:32]
    return f'W/"{digest}"'


@dataclass(frozen=True)
class Published:
    """A region's statistics for one period, ready to send."""

    stats: StatsV1
    figures: dict[str, Any]  # the statistics without their generation time
    body: str  # the JSON document
    tag: str  # the JSON document's entity tag
    modified: dt.datetime | None  # when a member of the region last changed


def published_stats(session: Session, instance: Instance, folder: RegionFolder,
                    period: Period, options: StatsOptions) -> Published:
    """The statistics of ``folder``'s region for ``period``: computed when the region's
    records changed since they were last computed in this process, else from memory."""

    def compute() -> Published:
        stats = compute_stats(session, folder, instance.plugins, period, options)
        figures = stats.model_dump(mode="json", exclude={"generated_at"})
        return Published(stats=stats, figures=figures, body=stats.model_dump_json(),
                         tag=entity_tag(figures, "json"),
                         modified=last_change(session, folder.slug))

    # The day is part of the key: figures of people present "today" change at midnight.
    key = ("stats", period.start, period.end, dt.date.today(), options)
    return region_figure(instance.engine, folder.slug, key, compute)
