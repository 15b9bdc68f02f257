"""The simulator pages: ``/simulateur`` (``/simulator``) compares regions, and
``/{slug}/simulateur`` shows one. A GET form: the profile is the query string, so a
result can be shared by its address, and nothing is stored."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from campagne.api.deps import InstanceDep
from campagne.i18n import gettext
from campagne.incentive_figures import reference_figures
from campagne.operations.intake import prefill_query
from campagne.plugin_types import CandidateProfile
from campagne.simulator import Simulation, comparison_rows, simulate
from campagne.taxonomy import SECTORS
from campagne.web.pages import PageRegionDep, RendererDep

router = APIRouter(include_in_schema=False)
PROFILE_FIELDS = tuple(CandidateProfile.model_fields)


def read_profile(request: Request) -> tuple[dict[str, str], CandidateProfile | None,
                                            dict[str, str]]:
    """The form's values, the profile they describe (``None`` when invalid or not sent)
    and an error message per invalid field."""
    values = {name: request.query_params[name] for name in PROFILE_FIELDS
              if request.query_params.get(name, "").strip()}
    if not values:
        return values, None, {}
    try:
        return values, CandidateProfile.model_validate(values), {}
    except ValidationError as exc:
        errors = {str(error["loc"][0]) if error["loc"] else "profile":
                  gettext("This value is not valid.") for error in exc.errors()}
        return values, None, errors


def _context(request: Request, instance: InstanceDep, regions: list[str]) -> tuple[
        dict[str, Any], int]:
    values, profile, errors = read_profile(request)
    simulation: Simulation | None = None
    if profile is not None:
        simulation = simulate(instance, profile, regions)
    origins = sorted(((code, origin.name) for code, origin in reference_figures().origins.items()),
                     key=lambda item: item[1])
    context = {
        "values": values, "errors": errors, "simulation": simulation,
        "rows": comparison_rows(simulation) if simulation else [],
        "origins": origins, "sectors": SECTORS, "chosen_regions": regions,
        "inquiry_query": prefill_query(simulation.profile) if simulation else "",
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
    """The simulator for one region."""
    context, status = _context(request, instance, [region.slug])
    return renderer.render(request, "simulator.html", context, region=region,
                           page="simulator", status_code=status)
