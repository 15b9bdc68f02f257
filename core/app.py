"""The web application: one FastAPI app serving the API, the pages and the plug-ins' routes."""

from __future__ import annotations

import logging
import re
import sys
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from campagne import __version__
from campagne.api import documented_errors
from campagne.api.catalogue import ServiceCatalogue
from campagne.auth.production import check_production, tls_declared
from campagne.auth.secret import InsecureSettings, secret_key
from campagne.i18n import gettext
from campagne.instance import Instance, load_instance
from campagne.observability.logs import configure_logging
from campagne.observability.metrics import InstanceMetrics
from campagne.observability.middleware import RequestObserver
from campagne.plugin_types import Routes
from campagne.schema_state import SchemaMismatch, schema_state
from campagne.settings import CampagneSettings
from campagne.web import busy_answers
from campagne.web.api_docs import install_api_docs
from campagne.web.declared_tls import DeclaredTlsMiddleware
from campagne.web.error_views import error_message, install_slash_redirects, render_error
from campagne.web.middleware import LanguageAndSecurityMiddleware
from campagne.web.region_gate import region_gate
from campagne.web.request_guard import BodyLimits, InputRefused, RequestGuard
from campagne.web.templating import Renderer

if TYPE_CHECKING:
    from fastapi.telemetry import TelemetryConfig

log = logging.getLogger(__name__)
# The room left, beside the file, for the rest of an upload's multipart form (the headers of
# each part, the token, the file's name).
MULTIPART_ROOM = 65_536
# Route sets ordered below this come before the static files and the region plug-ins' routes.
STATIC_ORDER = 300
CORE_STATIC = Path(str(resources.files("campagne") / "static"))

DESCRIPTION = """Campagne serves the programmes that help teleworkers and independents settle
in rural départements: the regions, their services and their plug-ins. Aggregates only:
no endpoint of this API returns a person."""


def create_app(instance: Instance) -> FastAPI:
    """Build the application for a loaded instance (production mode checks its settings)."""
    check_production(instance.settings, instance.engine)
    secret_key(instance.settings)  # made or read now: a broken key file stops the start
    app = FastAPI(title="Campagne", version=__version__, description=DESCRIPTION,
                  telemetry=fastapi_telemetry(instance.settings),
                  docs_url=None, redoc_url=None,  # served by install_api_docs, offline
                  openapi_tags=[{"name": "regions", "description": "Regions and services"},
                                {"name": "plugins", "description": "Loaded plug-ins"},
                                {"name": "health", "description": "Liveness"}])
    app.state.instance = instance
    app.state.catalogue = ServiceCatalogue(instance.engine)
    app.state.renderer = Renderer(instance, app.state.catalogue)
    route_sets = instance.plugins.app_routes()
    upload_paths = [pattern for _, routes in route_sets for pattern in routes.upload_paths]
    app.state.metrics = InstanceMetrics(instance)
    app.add_middleware(RequestGuard, limits=body_limits(instance.settings, upload_paths))
    app.add_middleware(LanguageAndSecurityMiddleware,  # outside: the guard's answers too
                       default_locale=instance.settings.default_locale)
    # Outside the guard and the language layer: their own answers are timed and logged too.
    app.add_middleware(RequestObserver, metrics=app.state.metrics)
    if tls_declared(instance.settings):  # outermost: every layer sees an HTTPS request
        app.add_middleware(DeclaredTlsMiddleware)
    install_api_docs(app)
    _mount_routes(app, instance, route_sets)
    _install_error_handlers(app)
    install_slash_redirects(app)
    busy_answers.install(app, app.state.renderer, _wants_json)  # 503 pool, 409 duplicate
    documented_errors.install(app)
    return app


def fastapi_telemetry(settings: CampagneSettings) -> TelemetryConfig:
    """FastAPI's native OpenTelemetry, off unless ``opentelemetry`` is set: Campagne
    measures and logs each request itself (``RequestObserver``), and the instrumentation
    looked for configured providers on every request even with none (decision 0035)."""
    on = settings.opentelemetry
    return {"tracing": on, "metrics": on, "logs": on}  # older FastAPI releases ignore it


def body_limits(settings: CampagneSettings, upload_paths: list[str]) -> BodyLimits:
    """The body limits: ``max_body_bytes``, and on the routes that take a file (``Routes.
    upload_paths``) the upload limit plus room for the rest of the form. There the guard is
    only a backstop: the page's own cap (``campagne.web.capped_upload``) answers first, with
    a message about the file."""
    larger = settings.max_upload_bytes + MULTIPART_ROOM
    return BodyLimits(settings.max_body_bytes,
                      larger=tuple((re.compile(path), larger) for path in upload_paths))


def _mount_routes(app: FastAPI, instance: Instance,
                  route_sets: list[tuple[str, Routes]]) -> None:
    """Mount every plug-in's routes: the fixed-path ones of ``app_routes`` by their order,
    with the per-region routes of third-party plug-ins and the static files between the
    API routes (below 300) and the pages."""
    _include(app, instance, [pair for pair in route_sets if pair[1].order < STATIC_ORDER])
    _mount_region_plugin_routes(app, instance)
    app.mount("/static/core", StaticFiles(directory=CORE_STATIC), name="static-core")
    for slug, folder in instance.regions.items():
        if folder.static_dir:
            app.mount(f"/static/regions/{slug}", StaticFiles(directory=folder.static_dir),
                      name=f"static-{slug}")
    _include(app, instance, [pair for pair in route_sets if pair[1].order >= STATIC_ORDER])


def _include(app: FastAPI, instance: Instance, route_sets: list[tuple[str, Routes]]) -> None:
    for plugin, routes in route_sets:
        if routes.order == 0:  # first of all, before FastAPI's /openapi.json and /docs
            app.router.routes[0:0] = routes.starlette_routes
        else:
            app.router.routes.extend(routes.starlette_routes)
        if routes.router is not None:
            app.include_router(routes.router,
                               dependencies=[Depends(region_gate(instance.plugins, plugin))])


def _mount_region_plugin_routes(app: FastAPI, instance: Instance) -> None:
    """Mount every plug-in router under its region and its own name."""
    for slug, folder in sorted(instance.regions.items()):
        info = folder.info()
        for short, router in instance.plugins.routers(info, "register_api_routes"):
            app.include_router(router, prefix=f"/api/v1/regions/{slug}/plugins/{short}",
                               tags=[f"plug-in {short}"])
        for short, router in instance.plugins.routers(info, "register_pages"):
            app.include_router(router, prefix=f"/{slug}/plugins/{short}",
                               include_in_schema=False)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path in ("/healthz", "/readyz")


def allowed_methods(request: Request) -> str:
    """The methods of the path that was asked for (Starlette names only the first route's).

    When several route paths match (``/members/search`` and ``/members/{member_id}``), the
    most literal one is the resource: the one with the fewest parameters.
    """
    matching: dict[str, set[str]] = {}
    for route in documented_errors.api_routes(request.app.router.routes):
        if route.path_regex.match(request.url.path):
            matching.setdefault(route.path_format, set()).update(route.methods or ())
    if not matching:
        return ""
    resource = min(matching, key=lambda path: path.count("{"))
    return ", ".join(sorted(matching[resource]))


def _install_error_handlers(app: FastAPI) -> None:
    """JSON errors for the API, friendly pages elsewhere, never a traceback."""
    renderer: Renderer = app.state.renderer

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": allowed_methods(request)}
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                                headers=headers)
        if exc.status_code == 401:  # pages: go to the sign-in form
            return RedirectResponse("/account/sign-in", status_code=303)
        shown = isinstance(exc, InputRefused) or (
            exc.status_code == 404 and exc.detail != "Not Found")
        return render_error(renderer, request, exc.status_code,
                            error_message(exc.status_code, exc.detail, shown))

    @app.exception_handler(RequestValidationError)
    async def invalid_input(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"field": ".".join(str(p) for p in error["loc"]), "message": error["msg"]}
            for error in exc.errors()
        ]
        if _wants_json(request):
            return JSONResponse({"detail": "Invalid input", "errors": problems}, status_code=422)
        return render_error(renderer, request, 422,
                            gettext("Some of the values sent are not valid."))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error("unexpected error on %s", request.url.path, exc_info=exc)
        if _wants_json(request):
            return JSONResponse({"detail": "Internal error"}, status_code=500)
        return render_error(renderer, request, 500, gettext("Something went wrong on our side."))


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory``: reads ``CAMPAGNE_*`` settings (several workers).
    An invalid setting, unsafe production settings, and a schema that is not this
    release's (migrations pending, or a newer release's) stop the worker with the message,
    not a traceback, and exit status 2."""
    try:
        settings = CampagneSettings()
    except ValidationError as exc:  # named as the command line names it
        for error in exc.errors():
            name = "CAMPAGNE_" + "_".join(str(part) for part in error["loc"]).upper()
            print(f"campagne: {name}: {error['msg']}", file=sys.stderr)
        raise SystemExit(2) from None
    try:
        configure_logging(settings)
        instance = load_instance(settings)
        app = create_app(instance)
        state = schema_state(instance.engine, instance.plugins)
        if not state.is_current:  # workers do not migrate: campagne db upgrade does
            raise SchemaMismatch(state.describe())
        return app
    except (InsecureSettings, SchemaMismatch) as exc:
        print(f"campagne: refusing to start: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
