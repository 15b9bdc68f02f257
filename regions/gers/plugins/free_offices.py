"""Free offices with broadband for Soho Solo members: the telecentre network of the Gers.

The value of a free desk is what a day in a coworking space would cost
otherwise, times the days a member would use it in a year.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from campagne.toolkit import CandidateProfile, Incentive, count_both, hookimpl

WORKING_WEEKS = 47  # 52 weeks less 5 weeks of paid leave (Code du travail, art. L3141-3)


class Settings(BaseModel):
    """Settings of the free offices plug-in, in ``region.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    telecentres: int = Field(ge=1, description="Number of telecentres open to members")
    desk_day_value_eur: float = Field(ge=0, description="Price of a desk for a day elsewhere")
    desk_day_value_source: str | None = None
    desk_day_value_illustrative: bool = False

    @model_validator(mode="after")
    def _sourced(self) -> Settings:
        if not self.desk_day_value_source and not self.desk_day_value_illustrative:
            raise ValueError("desk_day_value_eur needs desk_day_value_source, or "
                             "desk_day_value_illustrative: true")
        return self


def yearly_value(settings: Settings, days_per_week: int) -> float:
    """What free desk access is worth in a year at ``days_per_week`` days a week."""
    return round(settings.desk_day_value_eur * days_per_week * WORKING_WEEKS, 2)


@hookimpl
def incentives_for_profile(settings: Settings, profile: CandidateProfile) -> list[Incentive]:
    """Every member may use the telecentres; valued at the days they work away from home."""
    days = profile.commute_days_per_week
    counted = count_both(days, ("jour", "jours"), ("day", "days"))
    return [Incentive(
        key="free-offices",
        title={"fr": "Bureaux gratuits avec internet haut débit",
               "en": "Free offices with broadband"},
        eligible=True,
        category="workspace",
        reasons=({"fr": f"Ouvert à tous les membres dans {settings.telecentres} télécentres.",
                  "en": f"Open to every member in {settings.telecentres} telecentres."},),
        yearly_value_eur=yearly_value(settings, days) if days else None,
        illustrative=settings.desk_day_value_illustrative,
        assumptions=({"fr": f"{counted['fr']} par semaine, {WORKING_WEEKS} semaines par an, "
                            f"{settings.desk_day_value_eur:g} € la journée de bureau.",
                      "en": f"{counted['en']} a week, {WORKING_WEEKS} weeks a year, "
                            f"€{settings.desk_day_value_eur:g} a desk day."},),
    )]


class DeskValue(BaseModel):
    """The yearly value of free desk access."""

    days_per_week: int
    yearly_value_eur: float
    illustrative: bool


@hookimpl
def register_api_routes(settings: Settings) -> APIRouter:
    """``GET .../plugins/free_offices/desk-value``: the value for a number of days."""
    router = APIRouter()

    @router.get("/desk-value", summary="Yearly value of free desk access")
    def desk_value(days_per_week: Annotated[int, Query(ge=1, le=7)] = 3) -> DeskValue:
        return DeskValue(days_per_week=days_per_week,
                         yearly_value_eur=yearly_value(settings, days_per_week),
                         illustrative=settings.desk_day_value_illustrative)

    return router
