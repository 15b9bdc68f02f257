"""``POST /api/v1/simulator``: what a candidate would gain by moving, region by region."""

from __future__ import annotations

from typing import Any, NoReturn

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field

from campagne.api.deps import InstanceDep
from campagne.features.simulator.origin import OriginError, resolve_origin
from campagne.features.simulator.simulation import (
    Simulation,
    check_extra,
    chosen_regions,
    region_fields,
    simulate,
)
from campagne.plugin_types import CORE_PROFILE_FIELDS, CandidateProfile, CoreProfile
from campagne.profile_fields import undeclared

router = APIRouter(prefix="/api/v1/simulator", tags=["simulator"])


class ProfileInput(CoreProfile):
    """The core's profile fields, and the fields the chosen regions' plug-ins declare
    (hook ``profile_fields``), by key; any other key is refused."""

    model_config = ConfigDict(extra="allow")


class SimulatorRequest(BaseModel):
    """A candidate profile and the regions to compare (all served regions by default)."""

    model_config = ConfigDict(extra="forbid")
    profile: ProfileInput = ProfileInput()
    regions: list[str] | None = Field(default=None, examples=[["gers", "orne"]])
    origin_commune: str | None = Field(
        default=None, max_length=80, examples=["Auch", "32000", "Saint-Denis (93)"],
        description="Where the candidate lives now: a commune's name (accents and case do "
                    "not matter; homonyms need the département, in brackets or as "
                    "profile.origin_department), postcode or INSEE code. It sets "
                    "profile.origin_department; unknown or ambiguous: 422 listing the "
                    "candidates (ctx.candidates).")


def _invalid(errors: list[dict[str, Any]], exc: Exception | None = None) -> NoReturn:
    raise RequestValidationError(errors) from exc


@router.post("", summary="Simulate a move: incentives and yearly estimate per region",
             responses={422: {"description": "An invalid profile, an unknown field, region "
                                             "or commune, or an ambiguous commune"}})
def run_simulator(request: SimulatorRequest, instance: InstanceDep) -> Simulation:
    """Each region's incentives for the profile, eligible or not and why, with the yearly
    estimate broken down by plug-in, sources and assumptions. Nothing is stored."""
    try:
        slugs = chosen_regions(instance, request.regions)
    except KeyError as exc:
        _invalid([{"type": "unknown_region", "loc": ("body", "regions"),
                   "msg": f"unknown region '{exc.args[0]}'", "input": request.regions}], exc)
    raw = dict(request.profile.model_extra or {})
    fields = region_fields(instance, slugs)
    unknown = undeclared(raw, [f for declared in fields.values() for f in declared])
    if unknown:
        # The same answer as for any unknown key of a model.
        _invalid([{"type": "extra_forbidden", "loc": ("body", "profile", key),
                   "msg": "Extra inputs are not permitted", "input": raw[key]}
                  for key in unknown])
    values, errors = check_extra(raw, fields)
    if errors:
        _invalid([{"type": "profile_field", "loc": ("body", "profile", key), "msg": message,
                   "input": raw.get(key)} for key, message in sorted(errors.items())])
    core = {name: getattr(request.profile, name) for name in CORE_PROFILE_FIELDS}
    try:
        origin = resolve_origin(request.origin_commune, request.profile.origin_department)
    except OriginError as exc:
        _invalid([{"type": "ambiguous_commune" if exc.candidates else "unknown_commune",
                   "loc": ("body", "origin_commune"), "msg": str(exc),
                   "input": request.origin_commune,
                   "ctx": {"candidates": [{"code": c.code, "name": c.name,
                                           "department": c.department}
                                          for c in exc.candidates]}}], exc)
    if origin is not None:
        core["origin_department"] = origin.department
    profile = CandidateProfile.model_validate({**core, "extra": values})
    return simulate(instance, profile, slugs, fields, origin)
