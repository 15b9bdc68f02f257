"""``/comparer`` (``/compare``): the regions this instance serves, side by side, as
tables and server-drawn SVG charts that need no JavaScript."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from campagne import i18n
from campagne.api.deps import InstanceDep, SessionDep
from campagne.features.statistics.api import FromQuery, ToQuery, period_from
from campagne.features.statistics.api_network import all_region_stats
from campagne.features.statistics.compare import Comparison, compare
from campagne.revisions.cache import network_figure
from campagne.stats.schema import StatsV1
from campagne.web.pages import RendererDep

router = APIRouter(include_in_schema=False)


def compare_context(stats: list[StatsV1], first: int | None, last: int | None,
                    api_path: str = "/api/v1/network/compare",
                    comparison: Comparison | None = None) -> dict[str, Any]:
    """What ``compare.html`` needs, from published statistics only (``comparison``: theirs,
    when already drawn)."""
    query = {key: value for key, value in (("from", first), ("to", last)) if value is not None}
    head = stats[0] if stats else None
    return {
        "comparison": comparison or compare(stats), "period_from": first, "period_to": last,
        "csv_url": f"{api_path}?{urlencode({**query, 'format': 'csv'})}",
        "json_url": f"{api_path}?{urlencode(query)}" if query else api_path,
        "threshold": head.disclosure.threshold if head else 11,
        "licence_name": head.licence.name if head else "Licence Ouverte / Open Licence 2.0",
        "licence_url": head.licence.url if head else
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    }


@router.get("/comparer", response_class=HTMLResponse)
@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, instance: InstanceDep, session: SessionDep,
                 renderer: RendererDep, from_year: FromQuery = None,
                 to_year: ToQuery = None) -> HTMLResponse:
    """Every region served, side by side, for whole calendar years."""
    stats = all_region_stats(session, instance, from_year, to_year)
    period = period_from(from_year, to_year)
    key = (period.start, period.end, dt.date.today())
    comparison = network_figure(instance.engine, ("comparison", *key), lambda: compare(stats))
    context = compare_context(stats, from_year, to_year, comparison=comparison)
    locale = i18n.current_locale.get()

    def figures() -> Markup:
        html = renderer.site.get_template("compare_figures.html").render(context)
        return Markup(html)  # noqa: S704 - rendered with autoescape

    # A hundred regions' tables and charts cost more to write than to compute once kept.
    context["comparison_html"] = network_figure(
        instance.engine, ("comparison_html", *key, locale), figures)
    return renderer.render(request, "compare.html", context, page="compare")
