"""The hub's trend routes: ``/api/v1/network/trends`` (JSON or CSV) and the pages
``/tendances`` and ``/trends``, a form, a server-drawn SVG line chart and its data table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Engine
from sqlmodel import Session

from campagne.features.statistics.api import FormatQuery, cached_response, wants_csv
from campagne.features.statistics.published import entity_tag
from campagne.hub.config import HubConfig
from campagne.hub.trend_chart import line_chart
from campagne.hub.trends import (
    EARLIEST,
    LABELS,
    LATEST,
    MAX_DAYS,
    TrendQueryError,
    Trends,
    build_trends,
    daily_snapshots,
    indicator_order,
    trend_window,
    trends_csv,
)
from campagne.i18n_markers import N_
from campagne.models import utc_now

Render = Callable[[Request, str, dict[str, Any], str], HTMLResponse]
DEFAULT_INDICATOR = "members_total"
IndicatorQuery = Annotated[str | None, Query(
    max_length=60, description="One indicator (members_total, desk_occupancy, retention_1...);"
                               " by default every one")]
SinceQuery = Annotated[dt.date | None, Query(
    description=f"First day (UTC), {EARLIEST} to {LATEST}; by default {MAX_DAYS - 1} days "
                "before 'until'")]
UntilQuery = Annotated[dt.date | None, Query(
    description=f"Last day (UTC), {EARLIEST} to {LATEST}; by default today")]
PAGE_ERRORS = {
    "indicator": N_("Choose an indicator from the list."),
    "since": N_("The first day must be a date from 1 January 2000 to 31 December 2100, "
                "and not after the last day."),
    "until": N_("The last day must be a date from 1 January 2000 to 31 December 2100."),
}


def load_trends(engine: Engine, config: HubConfig, indicator: str | None,
                since: str | dt.date | None, until: str | dt.date | None) -> Trends:
    """The trends asked for; raises :class:`TrendQueryError` naming a bad parameter."""
    window = trend_window(since, until, utc_now().date())
    with Session(engine) as session:
        snapshots = daily_snapshots(session, [m.name for m in config.instances], window)
    return build_trends(snapshots, window, indicator)


def trends_response(request: Request, trends: Trends, fmt: str | None) -> Response:
    """The trends in JSON or CSV, with a validator (same figures, same tag)."""
    figures = trends.model_dump(mode="json", exclude={"generated_at"})
    moments = [p.harvested_at for s in trends.series for p in s.points]
    modified = max(moments) if moments else None
    if wants_csv(request, fmt):
        return cached_response(request, trends_csv(trends), "text/csv; charset=utf-8",
                               entity_tag(figures, "trends-csv"), modified, {
                                   "Content-Disposition": 'attachment; filename="trends.csv"',
                                   "X-Trends-Max-Days": str(trends.max_days),
                                   "X-Trends-Truncated": str(trends.truncated).lower()})
    return cached_response(request, trends.model_dump_json(), "application/json",
                           entity_tag(figures, "trends-json"), modified, {})


def _links(indicator: str, since: str | None, until: str | None) -> dict[str, str]:
    query = {"indicator": indicator, **{k: v for k, v in (("since", since), ("until", until))
                                        if v}}
    path = "/api/v1/network/trends"
    return {"json_url": f"{path}?{urlencode(query)}",
            "csv_url": f"{path}?{urlencode({**query, 'format': 'csv'})}"}


def add_trend_routes(router: APIRouter, config: HubConfig, engine: Engine,
                     render: Render) -> None:
    """Add the API route and the two pages to the hub's ``router``."""

    @router.get("/api/v1/network/trends", tags=["network"], response_model=Trends,
                responses={200: {"content": {"text/csv": {}}}})
    def trends(request: Request, indicator: IndicatorQuery = None, since: SinceQuery = None,
               until: UntilQuery = None, format: FormatQuery = None) -> Response:
        """Each region's scalar indicators over time, from the kept snapshots: one point
        per day (the last snapshot of that day), at most ``max_days`` per series."""
        try:
            found = load_trends(engine, config, indicator, since, until)
        except TrendQueryError as exc:
            raise RequestValidationError([{"loc": ("query", exc.field), "type": "value_error",
                                           "msg": exc.message}]) from None
        return trends_response(request, found, format)

    @router.get("/tendances", response_class=HTMLResponse, include_in_schema=False)
    @router.get("/trends", response_class=HTMLResponse, include_in_schema=False)
    def trends_page(request: Request, indicator: str = DEFAULT_INDICATOR,
                    since: str | None = None, until: str | None = None) -> HTMLResponse:
        """One indicator of every region over time: a chart and its table."""
        indicator = indicator[:60] or DEFAULT_INDICATOR
        context: dict[str, Any] = {
            "indicator": indicator, "since": since or "", "until": until or "",
            "error": None, "error_field": None, "chart": None, "trends": None,
            "options": [(key, LABELS.get(key, key)) for key in LABELS],
            "label": LABELS.get(indicator, indicator), "max_days": MAX_DAYS,
            **_links(indicator, since, until)}
        try:
            found = load_trends(engine, config, indicator, since, until)
        except TrendQueryError as exc:
            context.update(error=PAGE_ERRORS[exc.field], error_field=exc.field)
            answer = render(request, "hub_trends.html", context, "trends")
            answer.status_code = 422
            return answer
        unit = found.series[0].unit if found.series else "people"
        context.update(
            trends=found, chart=line_chart(found.series, unit),
            options=[(key, LABELS.get(key, key))
                     for key in indicator_order([*LABELS, *found.indicators])])
        return render(request, "hub_trends.html", context, "trends")
