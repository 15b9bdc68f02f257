"""The simulator pages: ``/simulateur`` (``/simulator``) compares regions, and
``/{slug}/simulateur`` shows one. A GET form: the profile is the query string, so a
result can be shared by its address, and nothing is stored.

The fields plug-ins declare (hook ``profile_fields``) are asked on a region's page only:
they are questions about that region (a destination commune...)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from campagne.api.deps import InstanceDep
from campagne.communes import Commune, departments
from campagne.config import localize
from campagne.features.inquiries.intake import prefill_query
from campagne.features.simulator.origin import OriginError, StartingPoint, resolve_origin
from campagne.features.simulator.simulation import (
    FieldsByRegion,
    Simulation,
    check_extra,
    comparison_rows,
    region_fields,
    simulate,
)
from campagne.i18n import current_locale, gettext
from campagne.i18n_markers import N_
from campagne.plugin_types import CORE_PROFILE_FIELDS, CandidateProfile, ProfileField
from campagne.taxonomy import SECTORS
from campagne.web.pages import PageRegionDep, RendererDep

router = APIRouter(include_in_schema=False)
PROFILE_FIELDS = CORE_PROFILE_FIELDS
#: The form's field for a commune of origin (name, postcode or INSEE code).
COMMUNE_FIELD = "origin_commune"
#: The commune chosen among homonyms, when the name given matched several.
CHOICE_FIELD = "origin_commune_choice"


def read_profile(params: Mapping[str, str], fields: FieldsByRegion | None = None
                 ) -> tuple[dict[str, str], CandidateProfile | None, dict[str, str]]:
    """The form's values (``params``), the profile they describe (``None`` when invalid or
    not sent) and an error message per invalid field; ``fields`` are the plug-ins' fields
    asked."""
    extra_keys = [f.key for declared in (fields or {}).values() for f in declared]
    values = {name: params[name] for name in (*PROFILE_FIELDS, *extra_keys)
              if params.get(name, "").strip()}
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


def _starting_point(params: dict[str, str]
                    ) -> tuple[StartingPoint | None, str | None, list[Commune]]:
    """The starting point of the form's commune and département, which sets the
    département of ``params``; or an error message and the communes that match."""
    commune = (params.get(CHOICE_FIELD) or params.get(COMMUNE_FIELD, ""))[:80]
    params[COMMUNE_FIELD] = commune
    try:
        origin = resolve_origin(commune, params.get("origin_department"))
    except OriginError as exc:
        message = (gettext("Several communes have this name: choose one below, or choose "
                           "the département.") if exc.candidates
                   else gettext("No commune has this name or postcode. Check the spelling, "
                                "or give the postcode."))
        return None, message, exc.candidates
    if origin is not None:
        params["origin_department"] = origin.department
    return origin, None, []


def field_labels(declared: list[ProfileField], locale: str) -> dict[str, str]:
    """The label of every field of the form, by name, to name a field at fault."""
    core = {"origin_department": N_("Département"), COMMUNE_FIELD: N_("Commune or postcode"),
            "household_size": N_("People in the household"), "status": N_("Status"),
            "sector": N_("Sector"), "commute_minutes_one_way": N_("Minutes, one way"),
            "commute_km_one_way": N_("Kilometres, one way (optional)"),
            "commute_mode": N_("Mode"), "commute_days_per_week": N_("Days a week"),
            "housing_budget_eur": N_("Budget in euros (optional)"),
            "housing_kind": N_("The budget is")}
    labels = {name: gettext(label) for name, label in core.items()}
    labels.update({f.key: localize(f.label, locale) for f in declared})
    return labels


def _context(request: Request, instance: InstanceDep, regions: list[str],
             fields: FieldsByRegion | None = None) -> tuple[dict[str, Any], int]:
    params = dict(request.query_params)
    origin, origin_error, candidates = _starting_point(params)
    values, profile, errors = read_profile(params, fields)
    if origin_error:
        errors = {COMMUNE_FIELD: origin_error, **errors}
    if params.get(COMMUNE_FIELD, "").strip():
        values[COMMUNE_FIELD] = params[COMMUNE_FIELD][:80]
    simulation: Simulation | None = None
    if profile is not None and not errors:
        simulation = simulate(instance, profile, regions, fields, origin)
    declared: list[ProfileField] = [f for each in (fields or {}).values() for f in each]
    context = {
        "values": values, "errors": errors, "simulation": simulation,
        "candidates": candidates, "departments": list(departments().values()),
        "department_names": {code: d.name for code, d in departments().items()},
        "labels": field_labels(declared, current_locale.get()),
        "rows": comparison_rows(simulation) if simulation else [],
        "sectors": SECTORS, "chosen_regions": regions,
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
