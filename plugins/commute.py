"""Commute: the yearly time, money and CO2 a candidate no longer spends commuting.

Computed from the candidate's current commute (duration or distance, mode, days a week)
and the reference figures of ``campagne/data/incentive_figures.yaml``: working weeks
(Code du travail), the barème kilométrique for a car, the monthly transit pass of the
origin (Navigo for Paris), ADEME's emission factors. After the move the candidate is
assumed to work from home or from a nearby office, with no daily commute.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from campagne.toolkit import (
    CandidateProfile,
    Incentive,
    ReferenceFigures,
    Source,
    both,
    count_both,
    hookimpl,
    number_text,
    reference_figures,
)

TITLE = both("Trajets domicile-travail en moins", "No more commuting")


class Settings(BaseModel):
    """Settings of the commute plug-in; the figures themselves are national."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    remaining_days_per_week: int = Field(
        default=0, ge=0, le=7, description="Days a week a candidate still commutes after moving")


@dataclass(frozen=True)
class CommuteSaving:
    """What a commute costs in a year."""

    days: float
    hours: float
    km: float
    km_estimated: bool
    money_eur: float
    money_illustrative: bool
    co2_kg: float
    sources: tuple[Source, ...]


def commute_saving(profile: CandidateProfile, figures: ReferenceFigures,
                   days_per_week: int) -> CommuteSaving:
    """The yearly time, distance, money and CO2 of ``days_per_week`` days of commuting."""
    days = days_per_week * figures.working_weeks.value
    km_one_way = profile.commute_km_one_way
    estimated = km_one_way == 0 and profile.commute_minutes_one_way > 0
    if estimated:
        speed = figures.average_speed_kmh[profile.commute_mode].value
        km_one_way = profile.commute_minutes_one_way / 60 * speed
    km = 2 * km_one_way * days
    sources: list[Source] = []
    illustrative = False
    money = 0.0
    if profile.commute_mode == "car" and km:
        money = figures.car_cost_scale.yearly_cost(km)
        sources.append(figures.car_cost_scale.source)
    elif profile.commute_mode == "public_transport" and days:
        origin, _known = figures.origin(profile.origin_department)
        money = 12 * origin.transit_pass_month_eur.value
        illustrative = origin.transit_pass_month_eur.illustrative
        if profile.status == "employee_teleworker":
            money *= 1 - figures.employer_transit_share.value
            sources.append(_source(figures.employer_transit_share.source))
        if origin.transit_pass_month_eur.source:
            sources.append(origin.transit_pass_month_eur.source)
    co2 = km * figures.co2_kg_per_km[profile.commute_mode].value
    return CommuteSaving(days=days, hours=2 * profile.commute_minutes_one_way * days / 60,
                         km=km, km_estimated=estimated, money_eur=round(money, 2),
                         money_illustrative=illustrative, co2_kg=round(co2, 1),
                         sources=tuple(sources))


def _source(source: Source | None) -> Source:
    assert source is not None
    return source


@hookimpl
def incentives_for_profile(settings: Settings, profile: CandidateProfile) -> list[Incentive]:
    """Eligible when the candidate commutes today; the money saved is the yearly estimate."""
    figures = reference_figures()
    saved_days = max(profile.commute_days_per_week - settings.remaining_days_per_week, 0)
    commutes = (profile.commute_minutes_one_way > 0 or profile.commute_km_one_way > 0)
    if not commutes or not saved_days:
        return [Incentive(key="commute", title=TITLE, eligible=False, category="commute",
                          reasons=(both("Vous ne faites pas de trajet quotidien aujourd'hui.",
                                        "You have no daily commute today."),))]
    saving = commute_saving(profile, figures, saved_days)
    weeks = figures.working_weeks
    days = count_both(saved_days, ("jour", "jours"), ("day", "days"))
    hours = count_both(round(saving.hours, 1), ("heure", "heures"), ("hour", "hours"))
    assumptions = [
        both(f"{days['fr']} par semaine, {weeks.value:g} semaines travaillées par an "
             f"(5 semaines de congés payés).",
             f"{days['en']} a week, {weeks.value:g} working weeks a year "
             f"(5 weeks of paid leave)."),
        both(f"{hours['fr']} par an de trajet en moins.",
             f"{hours['en']} a year no longer spent commuting."),
    ]
    if saving.km_estimated:
        speed = figures.average_speed_kmh[profile.commute_mode].value
        assumptions.append(both(
            f"Distance estimée à partir de la durée, à {speed:g} km/h (chiffre illustratif).",
            f"Distance estimated from the duration at {speed:g} km/h (illustrative figure)."))
    factor = figures.co2_kg_per_km[profile.commute_mode]
    assumptions.append(both(
        f"CO2 : {number_text(saving.km, 'fr')} km par an × {number_text(factor.value, 'fr', 3)} "
        "kg/km"
        + (" (facteur illustratif)." if factor.illustrative else "."),
        f"CO2: {number_text(saving.km, 'en')} km a year × {number_text(factor.value, 'en', 3)} "
        "kg/km"
        + (" (illustrative factor)." if factor.illustrative else ".")))
    if profile.commute_mode == "public_transport":
        assumptions.append(both(
            "Abonnement mensuel de transport payé 12 mois par an"
            + (", dont la moitié par l'employeur." if profile.status == "employee_teleworker"
               else "."),
            "Monthly transit pass paid 12 months a year"
            + (", half of it by the employer." if profile.status == "employee_teleworker"
               else ".")))
    return [Incentive(
        key="commute", title=TITLE, eligible=True, category="commute",
        reasons=(both("Vous travaillerez depuis chez vous ou un bureau proche.",
                      "You will work from home or from a nearby office."),),
        yearly_value_eur=saving.money_eur,
        yearly_hours_saved=round(saving.hours, 1),
        yearly_co2_kg_saved=saving.co2_kg,
        source=weeks.source,
        sources=saving.sources,
        illustrative=saving.money_illustrative,
        assumptions=tuple(assumptions),
    )]
