"""The simulator pages: ``/simulateur`` (``/simulator``) compares regions, and
``/{slug}/simulateur`` shows one. A GET form: the profile is the query string, so a
result can be shared by its address, and nothing is stored.

The fields plug-ins declare (hook ``profile_fields``) are asked on a region's page only:
they are questions about that region (a destination commune...)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from campagne.api.deps import InstanceDep
from campagne.features.inquiries.intake import prefill_query
from campagne.features.simulator.simulation import (
    FieldsByRegion,
    Simulation,
    check_extra,
    comparison_rows,
    region_fields,
    simulate,
)
from campagne.i18n import gettext
from campagne.incentive_figures import reference_figures
from campagne.plugin_types import CORE_PROFILE_FIELDS, CandidateProfile, ProfileField
from campagne.taxonomy import SECTORS
from campagne.web.pages import PageRegionDep, RendererDep

router = APIRouter(include_in_schema=False)
PROFILE_FIELDS = CORE_PROFILE_FIELDS


def read_profile(request: Request, fields: FieldsByRegion | None = None
                 ) -> tuple[dict[str, str], CandidateProfile | None, dict[str, str]]:
    """The form's values, the profile they describe (``None`` when invalid or not sent)
    and an error message per invalid field; ``fields`` are the plug-ins' fields asked."""
    extra_keys = [f.key for declared in (fields or {}).values() for f in declared]
    values = {name: request.query_params[name] for name in (*PROFILE_FIELDS, *extra_keys)
              if request.query_params.get(name, "").strip()}
    if not values:
        return values, None, {}
    extra, extra_errors = check_extra(values, fields or {})
    errors = dict.fromkeys(extra_errors, gettext("This value is not valid."))
    core = {name: value for name, value in values.items() if name in PROFILE_FIELDS}
    profile: CandidateProfile | None = None
    try:
        profile = CandidateProfile.model_validate({**core, "extra": extra})
    except ValidationError as exc:
        errors.update({str(error["loc"][0]) if error["loc"] else "profile":
                       gettext("This value is not valid.") for error in exc.errors()})
    return values, (None if errors else profile), errors


def _context(request: Request, instance: InstanceDep, regions: list[str],
             fields: FieldsByRegion | None = None) -> tuple[dict[str, Any], int]:
    values, profile, errors = read_profile(request, fields)
    simulation: Simulation | None = None
    if profile is not None:
        simulation = simulate(instance, profile, regions, fields)
    origins = sorted(((code, origin.name) for code, origin in reference_figures().origins.items()),
                     key=lambda item: item[1])
    declared: list[ProfileField] = [f for each in (fields or {}).values() for f in each]
    context = {
        "values": values, "errors": errors, "simulation": simulation,
        "rows": comparison_rows(simulation) if simulation else [],
        "origins": origins, "sectors": SECTORS, "chosen_regions": regions,
        "inquiry_query": prefill_query(simulation.profile) if simulation else "",
        "profile_fields": declared,
    }
    return context, 422 if errors else 200


@router.get("/simulateur", response_class=HTMLResponse)
@router.get("/simulator", response_class=HTMLResponse)
def compare_page(request: Request, instance: InstanceDep, renderer: RendererDep) -> HTMLResponse:
    """The simulator over several regions, side by side (all of them by default)."""
    asked = [slug for slug in request.query_params.getlist("regions") if slug in instance.regions]
    regions = asked or sorted(instance.regions)
    context, status = _context(request, instance, regions)
    return renderer.render(request, "simulator.html", context, page="simulator",
                           status_code=status)


@router.get("/{slug}/simulateur", response_class=HTMLResponse)
@router.get("/{slug}/simulator", response_class=HTMLResponse)
def region_page(request: Request, region: PageRegionDep, instance: InstanceDep,
                renderer: RendererDep) -> HTMLResponse:
    """The simulator for one region, with the questions its plug-ins add."""
    fields = region_fields(instance, [region.slug])
    context, status = _context(request, instance, [region.slug], fields)
    return renderer.render(request, "simulator.html", context, region=region,
                           page="simulator", status_code=status)
