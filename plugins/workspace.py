"""Workspace: the value of free or cheap desk access in the region's offices and
coworking spaces, against what a desk day costs elsewhere.

Yearly value: (reference day price − member day price) × days a week × working weeks.
The days are those the candidate commutes today (they would work at a desk instead).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from campagne.toolkit import (
    CandidateProfile,
    Incentive,
    Source,
    SourcedValue,
    both,
    count_both,
    hookimpl,
    illustrative_notes,
    reference_figures,
)

TITLE = both("Bureaux et coworking à prix réduit", "Low-cost offices and coworking")


class Settings(BaseModel):
    """Desk prices in the region, and its spaces."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    reference_day_price_eur: SourcedValue = Field(description="A desk day at market price")
    member_day_price_eur: SourcedValue = Field(description="A desk day in the region's spaces")
    spaces: list[str] = []
    days_per_week: int | None = Field(default=None, ge=1, le=7,
                                      description="Desk days a week; default: commute days")


def yearly_value(settings: Settings, days_per_week: int, working_weeks: float) -> float:
    """What cheaper desks are worth in a year at ``days_per_week`` days a week."""
    saving = max(settings.reference_day_price_eur.value - settings.member_day_price_eur.value, 0)
    return round(saving * days_per_week * working_weeks, 2)


@hookimpl
def incentives_for_profile(settings: Settings, profile: CandidateProfile) -> list[Incentive]:
    """Open to every candidate; valued at the days they would use a desk."""
    weeks = reference_figures().working_weeks.value
    days = settings.days_per_week or profile.commute_days_per_week
    reference, member = settings.reference_day_price_eur, settings.member_day_price_eur
    places = ", ".join(settings.spaces)
    counted = count_both(days, ("jour", "jours"), ("day", "days"))
    sources: tuple[Source, ...] = tuple(v.source for v in (reference, member) if v.source)
    return [Incentive(
        key="workspace", title=TITLE, eligible=True, category="workspace",
        reasons=(both("Ouvert à tous" + (f" : {places}." if places else "."),
                      "Open to all" + (f": {places}." if places else ".")),),
        yearly_value_eur=yearly_value(settings, days, weeks) if days else None,
        source=sources[0] if sources else None, sources=sources[1:],
        illustrative=reference.illustrative or member.illustrative,
        assumptions=(both(f"({reference.value:g} € − {member.value:g} €) × {counted['fr']} "
                          f"par semaine × {weeks:g} semaines.",
                          f"(€{reference.value:g} − €{member.value:g}) × {counted['en']} "
                          f"a week × {weeks:g} weeks."),
                     *illustrative_notes(reference, member)),
    )]
