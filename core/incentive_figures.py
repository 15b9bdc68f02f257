"""The national reference figures of the shared incentive plug-ins, read once from
``data/incentive_figures.yaml``: every figure carries its source or says it is illustrative."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import Field

from campagne.communes import departments
from campagne.config import Source, SourcedValue, StrictModel
from campagne.i18n import babel_locale

CommuteMode = Literal["car", "public_transport", "bike", "walk"]


class CostBracket(StrictModel):
    """One bracket of the barème kilométrique: ``d × rate + fixed`` up to ``up_to_km``."""

    up_to_km: float | None
    rate: float = Field(ge=0)
    fixed: float = Field(ge=0)

class CarCostScale(StrictModel):
    """The barème kilométrique of one fiscal power, with its source."""

    source: Source
    brackets: list[CostBracket] = Field(min_length=1)

    def yearly_cost(self, km: float) -> float:
        """The cost of driving ``km`` kilometres in a year."""
        for bracket in self.brackets:
            if bracket.up_to_km is None or km <= bracket.up_to_km:
                return km * bracket.rate + bracket.fixed
        return km * self.brackets[-1].rate + self.brackets[-1].fixed

class Origin(StrictModel):
    """Reference figures of a place candidates come from."""

    name: str
    transit_pass_month_eur: SourcedValue
    price_per_m2_eur: SourcedValue
    rent_per_m2_eur: SourcedValue

class ReferenceFigures(StrictModel):
    """The whole of ``incentive_figures.yaml``."""

    working_weeks: SourcedValue
    employer_transit_share: SourcedValue
    car_cost_scale: CarCostScale
    co2_kg_per_km: dict[CommuteMode, SourcedValue]
    average_speed_kmh: dict[CommuteMode, SourcedValue]
    origins: dict[str, Origin]
    default_origin: Origin

    def origin(self, code: str | None) -> tuple[Origin, bool]:
        """The figures of the département ``code``, and whether it is one of the known ones."""
        if code is not None and code in self.origins:
            return self.origins[code], True
        place = departments().get(code or "")
        if place is not None:  # the default figures, under the département's name
            return self.default_origin.model_copy(update={"name": place.name}), False
        return self.default_origin, False

@cache
def reference_figures() -> ReferenceFigures:
    """The reference figures shipped with Campagne (read once per process)."""
    text = (resources.files("campagne") / "data" / "incentive_figures.yaml").read_text("utf-8")
    return ReferenceFigures.model_validate(yaml.safe_load(text))

def number_text(value: float, locale: str, digits: int = 0) -> str:
    """A number for a plug-in's text in ``fr`` or ``en`` (``1 234,5`` or ``1,234.5``)."""
    text = f"{value:,.{digits}f}"
    if locale == "fr":
        return text.replace(",", "\u202f").replace(".", ",")
    return text

def both(fr: str, en: str) -> dict[str, str]:
    """A text in French and English."""
    return {"fr": fr, "en": en}

def count_both(count: float, fr: tuple[str, str], en: tuple[str, str]) -> dict[str, str]:
    """``count`` and its noun in French and English, each by its language's plural rule
    (CLDR, through Babel): ``count_both(3, ("jour", "jours"), ("day", "days"))`` is
    "3 jours" / "3 days"; 0 and 1 take the singular in French ("0 jour"), 1 only in English."""
    texts = {}
    for locale, (one, other) in (("fr", fr), ("en", en)):
        digits = 0 if float(count).is_integer() else 1
        noun = one if babel_locale(locale).plural_form(abs(count)) == "one" else other
        texts[locale] = f"{number_text(count, locale, digits)} {noun}"
    return texts

def illustrative_notes(*values: SourcedValue) -> tuple[dict[str, str], ...]:
    """The notes of the illustrative figures among ``values``, to show beside the estimate."""
    return tuple(both(f"Chiffre illustratif ({value.value:g})\u00a0: {value.note.get('fr', '')}",
                      f"Illustrative figure ({value.value:g}): "
                      f"{value.note.get('en') or value.note['fr']}")
                 for value in values if value.illustrative and value.note)
