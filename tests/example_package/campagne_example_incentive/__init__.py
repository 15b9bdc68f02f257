"""An example plug-in package: a relocation bonus, as an incentive, in every region.

A region may change the amount in its ``region.yaml``::

    plugins:
      example_incentive:
        bonus_eur: 500

or turn the plug-in off with ``disabled_plugins: [example_incentive]``.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from campagne.toolkit import CandidateProfile, Incentive, RegionInfo, hookimpl


class Settings(BaseModel):
    """Settings of the example plug-in; every one has a default."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    bonus_eur: float = Field(default=1000, ge=0, description="One-off bonus (illustrative)")


@hookimpl
def incentives_for_profile(region: RegionInfo, settings: Settings,
                           profile: CandidateProfile) -> list[Incentive]:
    """A bonus for founders who move to the region; others are told why not."""
    eligible = profile.status == "founder"
    return [Incentive(
        key="example-relocation-bonus",
        title={"fr": f"Prime d'installation ({region.name})",
               "en": f"Relocation bonus ({region.name})"},
        eligible=eligible,
        reasons=({"fr": "Pour les créateurs d'entreprise.", "en": "For business founders."},),
        yearly_value_eur=settings.bonus_eur if eligible else None,
        illustrative=True,
    )]


@hookimpl
def register_api_routes(region: RegionInfo, settings: Settings) -> APIRouter:
    """``GET .../plugins/example_incentive/bonus``: the bonus offered in the region."""
    router = APIRouter()

    @router.get("/bonus")
    def bonus() -> dict[str, object]:
        return {"region": region.slug, "bonus_eur": settings.bonus_eur}

    return router
