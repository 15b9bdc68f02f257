"""The public pages: the list of regions, a region's home, its services."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match, Route
from starlette.types import Scope

from campagne.api.catalogue import region_catalogue
from campagne.api.deps import CatalogueDep, InstanceDep, SessionDep
from campagne.i18n import current_locale, gettext
from campagne.instance import Instance
from campagne.queries import member_figures_by_region, member_figures_quick
from campagne.regions import RegionFolder
from campagne.revisions.reading import region_revision
from campagne.taxonomy import SERVICE_CATEGORIES
from campagne.web.figures import page_figures
from campagne.web.home_panels import home_panels
from campagne.web.sessions import recognise_visitor, wants_recognition
from campagne.web.templating import Renderer
from campagne.web.theme_css import theme_stylesheet

router = APIRouter(include_in_schema=False)


class ServedRegionHome(Route):
    """The region's home as a plain Starlette route, matched only for a served region.

    Installed first in the application (``region_home_route``): its requests skip the tries
    of the some sixty routes after it, and FastAPI's request handling (dependency solving,
    response validation), which the page does not use: it reads nothing but its path. The
    paths of the other routes stay theirs (``/account/`` names no region), and an unknown
    region still gets the 404 page from ``router``'s own route."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """Starlette's match, kept only when the slug names a served region."""
        match, child_scope = super().matches(scope)
        if match is not Match.NONE:
            slug = child_scope.get("path_params", {}).get("slug")
            if slug not in scope["app"].state.instance.regions:
                return Match.NONE, {}
            child_scope["route"] = self  # as FastAPI's routes do: metrics and logs read it
        return match, child_scope


def region_home_route() -> ServedRegionHome:
    """The served regions' home route, to be put first in the application."""
    return ServedRegionHome("/{slug}/", served_region_home, methods=["GET"],
                            name="served_region_home")


# The two dependencies below are ``async`` because they only look things up in memory:
# FastAPI runs a plain ``def`` dependency in a worker thread, and the hand-over to that
# thread and back costs more than the lookup (see bench/README.md).


async def get_renderer(request: Request) -> Renderer:
    """The application's renderer."""
    renderer: Renderer = request.app.state.renderer
    return renderer


RendererDep = Annotated[Renderer, Depends(get_renderer)]


def served_region(instance: Instance, slug: str) -> RegionFolder:
    """The region named in the path; unknown ones get the HTML 404 page."""
    folder = instance.region(slug)
    if folder is None:
        raise HTTPException(status_code=404, detail=gettext("This region is not served here."))
    return folder


async def get_page_region(instance: InstanceDep, slug: str) -> RegionFolder:
    """The region named in the path; unknown ones get the HTML 404 page."""
    return served_region(instance, slug)


PageRegionDep = Annotated[RegionFolder, Depends(get_page_region)]


@router.get("/", response_class=HTMLResponse)
def index(request: Request, instance: InstanceDep, session: SessionDep,
          renderer: RendererDep) -> HTMLResponse:
    """Every region served, with its programme and number of members."""
    figures = member_figures_by_region(session)
    members = {slug: figures[slug].total if slug in figures else 0 for slug in instance.regions}
    synthetic = sum(figures[slug].synthetic for slug in instance.regions if slug in figures)
    return renderer.render(request, "index.html",
                           {"members": members, "synthetic_members": synthetic}, page="index")


@router.get("/{slug}/theme.css")
def theme_css(region: PageRegionDep) -> Response:
    """The region's colours and fonts as a style sheet (no inline style: the CSP forbids
    it)."""
    css = theme_stylesheet(region.slug, region.config.theme)
    return Response(css, media_type="text/css",
                    headers={"Cache-Control": "public, max-age=3600"})


# The region's pages take the service catalogue from memory (ServiceCatalogue: read once
# per region and language).
#
# The region's home is ``async``: it runs on the event loop, without the hand-over to a worker
# thread and back (with several requests at once, those threads also contend for the GIL; the
# hand-over cost more CPU than the page's own query). Its work is short: one aggregate query
# on the DB-API cursor (no ``SessionDep``: a generator dependency would add two hand-overs)
# and the rendering, whose plug-in hook ``extra_template_vars`` must therefore be quick and
# do no I/O (docs/plugins.md). The catalogue's first read in a language, and the session
# lookup of a visitor who brings a session cookie, go to a thread. Served regions reach it
# through ``ServedRegionHome``, which reads nothing but the path (decision 0016). The other
# pages stay plain ``def`` functions with their dependencies (see bench/README.md).


@router.get("/{slug}/", response_class=HTMLResponse)
async def region_home(request: Request, slug: str) -> HTMLResponse:
    """A region's home: the programme and its calls to action, the features' blocks (next
    meetup, spaces...), members' words, services, key figures and facts."""
    state = request.app.state
    instance: Instance = state.instance
    region = served_region(instance, slug)
    services = await region_catalogue(state.catalogue, region.slug)
    revision = region_revision(instance.engine, region.slug)  # the page's one query
    figures = page_figures(member_figures_quick(instance.engine, region.slug, revision))
    renderer: Renderer = state.renderer
    panels = await home_panels(renderer, request, region, revision)
    if wants_recognition(request):  # a session cookie: its lookup may write (last use)
        await run_in_threadpool(recognise_visitor, request, instance)
    calls = (instance.plugins.feature_enabled("inquiries", region.slug),
             instance.plugins.feature_enabled("simulator", region.slug))
    # Kept whole for visitors who are not signed in, while the figures and the features'
    # blocks are the same (the services are fixed while the server runs).
    return renderer.render(request, "region_home.html",
                           {"figures": figures, "services": services, "panels": panels,
                            "inquiries_on": calls[0], "simulator_on": calls[1]},
                           region=region, page="region_home", kept_on=(figures, panels, calls))


async def served_region_home(request: Request) -> HTMLResponse:
    """:func:`region_home` for the :class:`ServedRegionHome` route (a Starlette endpoint)."""
    return await region_home(request, request.path_params["slug"])


@router.get("/{slug}/services", response_class=HTMLResponse)
def service_catalogue(
    request: Request, region: PageRegionDep, catalogue: CatalogueDep, renderer: RendererDep,
    category: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    """The catalogue of services, filtered by category with a plain form."""
    chosen = category if category in SERVICE_CATEGORIES else None
    services = catalogue.get(region.slug, current_locale.get()).of_category(chosen)
    context = {"services": services, "chosen": chosen, "categories": SERVICE_CATEGORIES}
    return renderer.render(request, "services.html", context, region=region,
                           page="service_catalogue")


def delivered_at(instance: Instance, region: RegionFolder, slug: str) -> str | None:
    """The listing a service of the region names in ``delivered_at`` (``region.yaml``
    first, then the services the plug-ins register)."""
    for spec in region.config.services:
        if spec.slug == slug:
            return spec.delivered_at
    for _plugin, spec in instance.plugins.services(region.info()):
        if spec.slug == slug:
            return spec.delivered_at
    return None


@router.get("/{slug}/services/{service}", response_class=HTMLResponse)
def service_page(request: Request, region: PageRegionDep, catalogue: CatalogueDep,
                 renderer: RendererDep, instance: InstanceDep, session: SessionDep,
                 service: str) -> HTMLResponse:
    """One service: what it is, who delivers it, what it costs, who may use it, and the
    places where it is delivered (hook ``delivery_places``)."""
    locale = current_locale.get()
    found = catalogue.get(region.slug, locale).by_slug.get(service)
    if found is None:
        raise HTTPException(status_code=404, detail=gettext("This service does not exist."))
    listing = delivered_at(instance, region, service)
    places = (instance.plugins.delivery_places(listing, region.info(), session, locale)
              if listing else [])
    return renderer.render(request, "service.html", {"service": found, "places": places},
                           region=region, page="service")
