"""Housing: what the candidate's budget buys or rents where they live now and in the region.

The region gives its price per square metre and its rent per square metre in
``region.yaml``; the origin's come from ``campagne/data/incentive_figures.yaml``.
For a rent, the yearly estimate is what the candidate would no longer pay for the
same surface; for a purchase, the surfaces are compared and no yearly value is given.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from campagne.toolkit import (
    CandidateProfile,
    Incentive,
    RegionInfo,
    Source,
    SourcedValue,
    both,
    hookimpl,
    illustrative_notes,
    number_text,
    reference_figures,
)

TITLE = both("Logement plus grand pour le même budget", "More home for the same budget")


class Settings(BaseModel):
    """The region's housing prices."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    price_per_m2_eur: SourcedValue
    rent_per_m2_eur: SourcedValue


def surfaces(budget: float, origin_per_m2: float, region_per_m2: float) -> tuple[float, float]:
    """Square metres ``budget`` pays for at the origin and in the region."""
    return budget / origin_per_m2, budget / region_per_m2


def yearly_rent_saving(monthly_budget: float, origin_rent: float, region_rent: float) -> float:
    """What renting the origin's surface in the region saves in a year (never negative)."""
    same_surface = monthly_budget / origin_rent * region_rent
    return round(max(monthly_budget - same_surface, 0) * 12, 2)


@hookimpl
def incentives_for_profile(region: RegionInfo, settings: Settings,
                           profile: CandidateProfile) -> list[Incentive]:
    """Eligible with a budget; a rent gives a yearly saving, a purchase a larger surface."""
    if not profile.housing_budget_eur:
        return [Incentive(key="housing", title=TITLE, eligible=False, category="housing",
                          reasons=(both("Indiquez un budget logement pour comparer.",
                                        "Give a housing budget to compare."),))]
    origin, _known = reference_figures().origin(profile.origin_department)
    renting = profile.housing_kind == "rent"
    there: SourcedValue = origin.rent_per_m2_eur if renting else origin.price_per_m2_eur
    here: SourcedValue = settings.rent_per_m2_eur if renting else settings.price_per_m2_eur
    at_origin, in_region = surfaces(profile.housing_budget_eur, there.value, here.value)
    fr = (number_text(at_origin, "fr"), number_text(in_region, "fr"))
    en = (number_text(at_origin, "en"), number_text(in_region, "en"))
    reason = both(
        f"Votre budget {'loue' if renting else 'achète'} environ {fr[0]} m² "
        f"({origin.name}) et {fr[1]} m² ({region.name}).",
        f"Your budget {'rents' if renting else 'buys'} about {en[0]} m² "
        f"({origin.name}) and {en[1]} m² ({region.name}).")
    unit = ("€/m² par mois", "€/m² a month") if renting else ("€/m²", "€/m²")
    assumptions: tuple[dict[str, str], ...] = (both(
        f"{origin.name} : {there.value:g} {unit[0]} ; {region.name} : {here.value:g} {unit[0]}.",
        f"{origin.name}: {there.value:g} {unit[1]}; {region.name}: {here.value:g} {unit[1]}."),)
    if renting:
        assumptions += (both("Économie : le loyer de la même surface, sur 12 mois.",
                             "Saving: the rent of the same surface, over 12 months."),)
    assumptions += illustrative_notes(there, here)
    sources: tuple[Source, ...] = tuple(v.source for v in (there, here) if v.source)
    return [Incentive(
        key="housing", title=TITLE, eligible=True, category="housing", reasons=(reason,),
        yearly_value_eur=(yearly_rent_saving(profile.housing_budget_eur, there.value,
                                             here.value) if renting else None),
        source=sources[0] if sources else None, sources=sources[1:],
        illustrative=there.illustrative or here.illustrative,
        assumptions=assumptions,
    )]
