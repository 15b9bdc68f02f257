"""The blocks the features and plug-ins add to a region's home (hook ``page_panels``, page
``region_home``: the next meetup, the spaces...), rendered once per region, language, day
and data revision (decision 0026), so that the home stays one query for its visitors and
shows a change as soon as it is committed."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from fastapi import Request
from markupsafe import Markup
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from campagne import i18n
from campagne.regions import RegionFolder
from campagne.revisions.cache import cache_of
from campagne.web.templating import Renderer

#: The day the public pages count from ("the next meetup" includes today's).
PAGE_ZONE = ZoneInfo("Europe/Paris")


async def home_panels(renderer: Renderer, request: Request, region: RegionFolder,
                      revision: int) -> tuple[Markup, ...]:
    """The home's blocks in the request's language, kept at the region's ``revision``
    (read for this request); rendered in a worker thread when missing (they read the
    database)."""
    engine = renderer.instance.engine
    day = dt.datetime.now(PAGE_ZONE).date()
    key = ("region", region.slug, "home_panels", i18n.current_locale.get(), day)
    found, kept = cache_of(engine).lookup(key, revision)
    if found:
        return kept  # type: ignore[return-value]
    panels = await run_in_threadpool(_render, renderer, request, region)
    cache_of(engine).keep(key, revision, panels)
    return panels


def _render(renderer: Renderer, request: Request, region: RegionFolder) -> tuple[Markup, ...]:
    with Session(renderer.instance.engine) as session:
        return tuple(renderer.panels(request, "region_home", region, session, None, {}))
