"""``/api/v1/network/compare``: the regions this instance serves, side by side."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from campagne.api.deps import InstanceDep, SessionDep
from campagne.features.statistics.api import (
    FormatQuery,
    FromQuery,
    ToQuery,
    cached_response,
    period_from,
    stats_options,
    wants_csv,
)
from campagne.features.statistics.published import Published, entity_tag, published_stats
from campagne.features.statistics.tabular import stats_rows, to_csv
from campagne.instance import Instance
from campagne.models import utc_now
from campagne.revisions.cache import network_figure
from campagne.stats.schema import NetworkComparison, StatsV1

router = APIRouter(tags=["statistics"])


def all_region_stats(session: Session, instance: Instance, first: int | None,
                     last: int | None) -> list[StatsV1]:
    """The statistics of every region served, sorted by slug."""
    return [published.stats for published in all_published(session, instance, first, last)]


def all_published(session: Session, instance: Instance, first: int | None,
                  last: int | None) -> list[Published]:
    """:func:`all_region_stats` with their validators: kept while no region's records
    change, and then each region's computed again only if its own records changed."""
    period = period_from(first, last)
    options = stats_options(instance)

    def compute() -> list[Published]:
        return [published_stats(session, instance, folder, period, options)
                for _, folder in sorted(instance.regions.items())]

    return network_figure(instance.engine, ("stats", period.start, period.end,
                                            dt.date.today(), options), compute)


@dataclass(frozen=True)
class Document:
    """A comparison written out, with its validators."""

    body: str
    media_type: str
    tag: str
    modified: dt.datetime | None
    headers: dict[str, str]


def comparison_document(stats: list[StatsV1], csv: bool,
                        modified_by: list[dt.datetime | None] | None = None) -> Document:
    """The comparison in JSON or CSV."""
    figures = [s.model_dump(mode="json", exclude={"generated_at"}) for s in stats]
    dates = [d for d in (modified_by or []) if d is not None]
    modified = max(dates) if dates else None
    if csv:
        rows = [row for s in stats for row in stats_rows(s)]
        return Document(to_csv(rows), "text/csv; charset=utf-8", entity_tag(figures, "csv"),
                        modified, {"Content-Disposition": 'attachment; filename="compare.csv"'})
    comparison = NetworkComparison(generated_at=utc_now(),
                                   regions=[s.region.slug for s in stats], stats=stats)
    return Document(comparison.model_dump_json(), "application/json",
                    entity_tag(figures, "json"), modified, {})


def comparison_response(request: Request, stats: list[StatsV1], fmt: str | None,
                        modified_by: list[dt.datetime | None] | None = None) -> Response:
    """The comparison in JSON or CSV, with its validators."""
    document = comparison_document(stats, wants_csv(request, fmt), modified_by)
    return cached_response(request, document.body, document.media_type, document.tag,
                           document.modified, document.headers)


@router.get("/api/v1/network/compare", summary="The regions served, side by side",
            response_model=NetworkComparison,
            responses={200: {"content": {"text/csv": {}}}})
def network_compare(request: Request, instance: InstanceDep, session: SessionDep,
                    from_year: FromQuery = None, to_year: ToQuery = None,
                    format: FormatQuery = None) -> Response:
    """Every region's open statistics, after disclosure control, in one document."""
    published = all_published(session, instance, from_year, to_year)
    csv = wants_csv(request, format)
    period = period_from(from_year, to_year)
    # The document for 101 regions takes longer to write and tag than to look up.
    document = network_figure(
        instance.engine, ("compare", csv, period.start, period.end, dt.date.today()),
        lambda: comparison_document([item.stats for item in published], csv,
                                    [item.modified for item in published]))
    return cached_response(request, document.body, document.media_type, document.tag,
                           document.modified, document.headers)
