"""The hub's web application: the member instances and their status, and the regions
they publish side by side, from the last good snapshot of each."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine
from sqlmodel import Session

from campagne import __version__, i18n
from campagne.features.statistics import TEMPLATES as STATISTICS_TEMPLATES
from campagne.features.statistics.api import FormatQuery
from campagne.features.statistics.api_network import comparison_response
from campagne.features.statistics.pages import compare_context
from campagne.hub.config import HubConfig
from campagne.hub.harvest import _aware, instance_status, latest_snapshots
from campagne.hub.metrics import metrics_router
from campagne.hub.models import HubInstance, HubSnapshot
from campagne.hub.scheduler import harvest_forever
from campagne.hub.trend_routes import add_trend_routes
from campagne.models import utc_now
from campagne.stats.schema import SCHEMA_PATH, NetworkComparison, StatsV1, json_schema
from campagne.web.middleware import LanguageAndSecurityMiddleware
from campagne.web.templating import build_environment

HUB_TEMPLATES = Path(str(resources.files("campagne.hub") / "templates"))
CORE_STATIC = Path(str(resources.files("campagne") / "static"))
log = logging.getLogger(__name__)
SHUTDOWN_GRACE_SECONDS = 10


class InstanceStatus(BaseModel):
    """A member instance as the hub sees it."""

    name: str
    url: str
    status: str
    last_harvest_at: str | None
    last_attempt_at: str | None
    error: str | None
    regions: list[str]


def instance_statuses(session: Session, config: HubConfig) -> list[InstanceStatus]:
    """Every configured instance with its status and its regions' last snapshots."""
    names = [member.name for member in config.instances]
    snapshots = latest_snapshots(session, names)
    now = utc_now()
    found = []
    for member in config.instances:
        row = session.get(HubInstance, member.name)
        regions = [s.region_slug for s in snapshots if s.instance_name == member.name]
        success = _aware(row.last_success_at) if row else None
        attempt = _aware(row.last_attempt_at) if row else None
        found.append(InstanceStatus(
            name=member.name, url=member.url,
            status=instance_status(row, bool(regions), config.stale_after_seconds, now),
            last_harvest_at=success.isoformat() if success else None,
            last_attempt_at=attempt.isoformat() if attempt else None,
            error=row.last_error if row else None, regions=regions))
    return found


def _withheld(payload: Any) -> Any:
    """``payload`` with no value left beside a ``suppressed: true``, at any depth."""
    if isinstance(payload, list):
        return [_withheld(item) for item in payload]
    if not isinstance(payload, dict):
        return payload
    found = {key: _withheld(item) for key, item in payload.items()}
    if found.get("suppressed") is True:
        found.update({key: None for key in ("value", "share") if key in found})
    return found


def stored_stats(row: HubSnapshot) -> StatsV1 | None:
    """A kept snapshot as statistics; None when it breaks the schema (kept before every
    figure was validated): never a suppressed value, never a figure out of bounds."""
    try:
        return StatsV1.model_validate(_withheld(row.payload))
    except (ValidationError, RecursionError):
        log.warning("snapshot %s of %s/%s breaks the schema: left out", row.id,
                    row.instance_name, row.region_slug)
        return None


def snapshot_stats(session: Session, config: HubConfig) -> list[StatsV1]:
    """The last good statistics of every region of every configured instance."""
    rows: list[HubSnapshot] = latest_snapshots(
        session, [member.name for member in config.instances])
    return [stats for stats in map(stored_stats, rows) if stats is not None]


def _switch_links(request: Request) -> dict[str, str]:
    links = {}
    for language in i18n.SUPPORTED:
        query = {**dict(request.query_params), "lang": language}
        links[language] = f"{quote(request.url.path)}?{urlencode(sorted(query.items()))}"
    return links


def build_router(config: HubConfig, engine: Engine) -> APIRouter:
    """The hub's routes."""
    router = APIRouter()
    environment = build_environment([HUB_TEMPLATES, STATISTICS_TEMPLATES])

    def render(request: Request, template: str, context: dict[str, Any],
               page: str) -> HTMLResponse:
        html = environment.get_template(template).render({
            **context, "request": request, "locale": i18n.current_locale.get(),
            "region": None, "regions": {}, "page": page, "hub": True,
            "switch_language": _switch_links(request)})
        return HTMLResponse(html)

    @router.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness."""
        return {"status": "ok"}

    @router.get("/api/v1/network/instances", tags=["network"])
    def instances() -> list[InstanceStatus]:
        """Each member instance: ``status`` (ok, stale, unreachable, invalid), last harvest."""
        with Session(engine) as session:
            return instance_statuses(session, config)

    @router.get("/api/v1/network/compare", tags=["network"], response_model=NetworkComparison,
                responses={200: {"content": {"text/csv": {}}}})
    def compare(request: Request, format: FormatQuery = None) -> Response:
        """The last good statistics of every region of the network, side by side."""
        with Session(engine) as session:
            stats = snapshot_stats(session, config)
        return comparison_response(request, stats, format)

    @router.get(SCHEMA_PATH, tags=["network"])
    def schema() -> JSONResponse:
        """The JSON Schema the harvested statistics follow."""
        return JSONResponse(json_schema(), media_type="application/schema+json")

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request) -> HTMLResponse:
        """The member instances and their status."""
        with Session(engine) as session:
            statuses = instance_statuses(session, config)
        return render(request, "hub_index.html", {"instances": statuses}, "index")

    @router.get("/comparer", response_class=HTMLResponse, include_in_schema=False)
    @router.get("/compare", response_class=HTMLResponse, include_in_schema=False)
    def compare_page(request: Request) -> HTMLResponse:
        """The network's regions side by side."""
        with Session(engine) as session:
            stats = snapshot_stats(session, config)
        context = {**compare_context(stats, None, None), "show_period": False}
        return render(request, "compare.html", context, "compare")

    add_trend_routes(router, config, engine, render)
    return router


def create_hub_app(config: HubConfig, engine: Engine, *, schedule: bool = True) -> FastAPI:
    """The hub; with ``schedule`` it harvests in one background task (lease-guarded)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(harvest_forever(engine, config, stop)) if schedule else None
        try:
            yield
        finally:
            stop.set()
            if task is not None:  # a harvest in progress has a moment, then is cancelled
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(task, timeout=SHUTDOWN_GRACE_SECONDS)

    app = FastAPI(title="Campagne hub", version=__version__, lifespan=lifespan,
                  description="The national network's hub: statistics harvested from "
                              "member instances. Aggregates only.")
    i18n.load_catalogues()
    app.add_middleware(LanguageAndSecurityMiddleware, default_locale="fr")
    app.include_router(build_router(config, engine))
    app.include_router(metrics_router(config, engine))
    app.mount("/static/core", StaticFiles(directory=CORE_STATIC), name="static-core")
    return app
