"""``POST /api/v1/simulator``: what a candidate would gain by moving, region by region."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field

from campagne.api.deps import InstanceDep
from campagne.plugin_types import CandidateProfile
from campagne.simulator import Simulation, simulate

router = APIRouter(prefix="/api/v1/simulator", tags=["simulator"])


class SimulatorRequest(BaseModel):
    """A candidate profile and the regions to compare (all served regions by default)."""

    model_config = ConfigDict(extra="forbid")
    profile: CandidateProfile = CandidateProfile()
    regions: list[str] | None = Field(default=None, examples=[["gers", "orne"]])


@router.post("", summary="Simulate a move: incentives and yearly estimate per region")
def run_simulator(request: SimulatorRequest, instance: InstanceDep) -> Simulation:
    """Each region's incentives for the profile, eligible or not and why, with the yearly
    estimate broken down by plug-in, sources and assumptions. Nothing is stored."""
    try:
        return simulate(instance, request.profile, request.regions)
    except KeyError as exc:
        raise RequestValidationError([{
            "type": "unknown_region", "loc": ("body", "regions"),
            "msg": f"unknown region '{exc.args[0]}'", "input": request.regions,
        }]) from exc
