"""``/api/v1/network/compare``: the regions this instance serves, side by side."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from campagne.api.deps import InstanceDep, SessionDep
from campagne.features.statistics.api import (
    FormatQuery,
    FromQuery,
    ToQuery,
    cached_response,
    entity_tag,
    period_from,
    stats_options,
    wants_csv,
)
from campagne.features.statistics.engine import compute_stats, last_change
from campagne.features.statistics.tabular import stats_rows, to_csv
from campagne.instance import Instance
from campagne.models import utc_now
from campagne.stats.schema import NetworkComparison, StatsV1

router = APIRouter(tags=["statistics"])


def all_region_stats(session: Session, instance: Instance, first: int | None,
                     last: int | None) -> list[StatsV1]:
    """The statistics of every region served, sorted by slug."""
    period = period_from(first, last)
    options = stats_options(instance)
    return [compute_stats(session, folder, instance.plugins, period, options)
            for _, folder in sorted(instance.regions.items())]


def comparison_response(request: Request, stats: list[StatsV1], fmt: str | None,
                        modified_by: list[dt.datetime | None] | None = None) -> Response:
    """The comparison in JSON or CSV, with its validators."""
    comparison = NetworkComparison(generated_at=utc_now(),
                                   regions=[s.region.slug for s in stats], stats=stats)
    figures = [s.model_dump(mode="json", exclude={"generated_at"}) for s in stats]
    dates = [d for d in (modified_by or []) if d is not None]
    modified = max(dates) if dates else None
    if wants_csv(request, fmt):
        rows = [row for s in stats for row in stats_rows(s)]
        return cached_response(request, to_csv(rows), "text/csv; charset=utf-8",
                               entity_tag(figures, "csv"), modified,
                               {"Content-Disposition": 'attachment; filename="compare.csv"'})
    return cached_response(request, comparison.model_dump_json(), "application/json",
                           entity_tag(figures, "json"), modified, {})


@router.get("/api/v1/network/compare", summary="The regions served, side by side",
            response_model=NetworkComparison,
            responses={200: {"content": {"text/csv": {}}}})
def network_compare(request: Request, instance: InstanceDep, session: SessionDep,
                    from_year: FromQuery = None, to_year: ToQuery = None,
                    format: FormatQuery = None) -> Response:
    """Every region's open statistics, after disclosure control, in one document."""
    stats = all_region_stats(session, instance, from_year, to_year)
    changes = [last_change(session, slug) for slug in sorted(instance.regions)]
    return comparison_response(request, stats, format, changes)
