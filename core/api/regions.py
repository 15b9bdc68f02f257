"""``/api/v1/regions``: the regions, their key figures and their services."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response

from campagne.api.catalogue import key_figures, region_catalogue
from campagne.api.deps import CatalogueDep, InstanceDep, RegionDep
from campagne.api.schemas import ErrorOut, RegionDetail, RegionSummary, ServiceOut
from campagne.i18n import current_locale
from campagne.instance import Instance
from campagne.regions import RegionFolder
from campagne.revisions.cache import region_figure
from campagne.revisions.reading import region_revision
from campagne.taxonomy import ServiceCategory

router = APIRouter(prefix="/api/v1/regions", tags=["regions"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "Unknown region or service"}
}


def summary(folder: RegionFolder) -> RegionSummary:
    """The list entry of a region."""
    config = folder.config
    return RegionSummary(slug=config.slug, code=config.code, name=config.name,
                         administrative_region=config.administrative_region,
                         programme=config.programme, url=f"/api/v1/regions/{config.slug}")


@router.get("", summary="List the regions served")
def list_regions(instance: InstanceDep) -> list[RegionSummary]:
    """Every region this instance serves, with its programme."""
    return [summary(folder) for _, folder in sorted(instance.regions.items())]


# A region's answer is serialised once per language and change of its records, and served
# from the event loop: its one query reads the region's revision, as the home's does.


@router.get("/{slug}", summary="One region with its key figures", responses=NOT_FOUND,
            response_model=RegionDetail)
async def get_region(region: RegionDep, instance: InstanceDep) -> Response:
    """A region, its members in total and by sector (aggregates only) and its published figures."""
    revision = region_revision(instance.engine, region.slug)
    body = region_figure(instance.engine, region.slug, ("detail", current_locale.get()),
                         lambda: region_detail(instance, region, revision).model_dump_json()
                         .encode(), revision)
    return Response(body, media_type="application/json")


def region_detail(instance: Instance, region: RegionFolder, revision: int) -> RegionDetail:
    """A region, its key figures (at ``revision``) and its published figures."""
    return RegionDetail(**summary(region).model_dump(),
                        key_figures=key_figures(instance.engine, region.slug, revision),
                        published_figures=list(region.config.figures))


# The catalogue is read once per region (see ServiceCatalogue): these two endpoints only
# look things up in memory, hence ``async`` (no worker thread); the list is served as the
# JSON serialised once per language, the documented model staying ``list[ServiceOut]``.


@router.get("/{slug}/services", summary="A region's services", responses=NOT_FOUND,
            response_model=list[ServiceOut])
async def get_services(
    region: RegionDep,
    catalogue: CatalogueDep,
    category: Annotated[ServiceCategory | None, Query(description="Only this category")] = None,
) -> Response:
    """The region's service catalogue, those of its plug-ins included."""
    services = await region_catalogue(catalogue, region.slug)
    return Response(services.json_of_category(category), media_type="application/json")


@router.get("/{slug}/services/{service}", summary="One service", responses=NOT_FOUND)
async def get_service(region: RegionDep, catalogue: CatalogueDep, service: str) -> ServiceOut:
    """One service of the region's catalogue."""
    found = (await region_catalogue(catalogue, region.slug)).by_slug.get(service)
    if found is None:
        raise HTTPException(status_code=404, detail=f"Unknown service '{service}'")
    return found
