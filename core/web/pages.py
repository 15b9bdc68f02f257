"""The public pages: the list of regions, a region's home, its services."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from campagne.api.catalogue import key_figures
from campagne.api.deps import CatalogueDep, InstanceDep, SessionDep
from campagne.i18n import current_locale, gettext
from campagne.queries import member_figures_by_region
from campagne.regions import RegionFolder
from campagne.taxonomy import SERVICE_CATEGORIES
from campagne.web.templating import Renderer

router = APIRouter(include_in_schema=False)


# The two dependencies below are ``async`` because they only look things up in memory:
# FastAPI runs a plain ``def`` dependency in a worker thread, and the hand-over to that
# thread and back costs more than the lookup (see bench/README.md).


async def get_renderer(request: Request) -> Renderer:
    """The application's renderer."""
    renderer: Renderer = request.app.state.renderer
    return renderer


RendererDep = Annotated[Renderer, Depends(get_renderer)]


async def get_page_region(instance: InstanceDep, slug: str) -> RegionFolder:
    """The region named in the path; unknown ones get the HTML 404 page."""
    folder = instance.region(slug)
    if folder is None:
        raise HTTPException(status_code=404, detail=gettext("This region is not served here."))
    return folder


PageRegionDep = Annotated[RegionFolder, Depends(get_page_region)]


@router.get("/", response_class=HTMLResponse)
def index(request: Request, instance: InstanceDep, session: SessionDep,
          renderer: RendererDep) -> HTMLResponse:
    """Every region served, with its programme and number of members."""
    figures = member_figures_by_region(session)
    members = {slug: figures[slug].total if slug in figures else 0 for slug in instance.regions}
    return renderer.render(request, "index.html", {"members": members}, page="index")


@router.get("/{slug}/theme.css")
def theme_css(region: PageRegionDep) -> Response:
    """The region's colours as a style sheet (no inline style: the CSP forbids it)."""
    colour = region.config.theme.primary_color
    css = f":root {{ --brand: {colour}; }}\n"
    return Response(css, media_type="text/css",
                    headers={"Cache-Control": "public, max-age=3600"})


# The region's pages take the service catalogue from memory (ServiceCatalogue: read once
# per region and language). They stay plain ``def`` functions, run in a worker thread,
# because rendering calls the plug-ins' hooks, which may block. The home page opens its
# database connection itself rather than taking ``SessionDep``: a generator dependency costs
# two more hand-overs to a worker thread (enter and exit), and an ORM session more work,
# for one aggregate query.


@router.get("/{slug}/", response_class=HTMLResponse)
def region_home(request: Request, region: PageRegionDep, instance: InstanceDep,
                catalogue: CatalogueDep, renderer: RendererDep) -> HTMLResponse:
    """A region's home: programme, key figures, services by category."""
    services = catalogue.get(region.slug, current_locale.get())
    with instance.engine.connect() as connection:
        figures = key_figures(connection, region.slug)
    context = {"figures": figures, "by_category": list(services.by_category.items())}
    return renderer.render(request, "region_home.html", context, region=region,
                           page="region_home")


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


@router.get("/{slug}/services/{service}", response_class=HTMLResponse)
def service_page(request: Request, region: PageRegionDep, catalogue: CatalogueDep,
                 renderer: RendererDep, service: str) -> HTMLResponse:
    """One service: what it is, who delivers it, what it costs, who may use it."""
    found = catalogue.get(region.slug, current_locale.get()).by_slug.get(service)
    if found is None:
        raise HTTPException(status_code=404, detail=gettext("This service does not exist."))
    return renderer.render(request, "service.html", {"service": found}, region=region,
                           page="service")
