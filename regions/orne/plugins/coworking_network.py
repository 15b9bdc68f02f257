"""The Orne's coworking network: telecentres of the Zevillage community and what a
member saves by working there rather than paying a day pass elsewhere."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from campagne.toolkit import CandidateProfile, Incentive, Price, ServiceSpec, hookimpl


class Settings(BaseModel):
    """Settings of the coworking network plug-in, in ``region.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    telecentres: list[str] = Field(min_length=1, description="Communes with a telecentre")
    day_pass_eur: float = Field(ge=0, description="Price of a day pass in the network")
    day_pass_source: str | None = None
    day_pass_illustrative: bool = False

    @model_validator(mode="after")
    def _sourced(self) -> Settings:
        if not self.day_pass_source and not self.day_pass_illustrative:
            raise ValueError("day_pass_eur needs day_pass_source, or day_pass_illustrative: true")
        return self


def _slug(commune: str) -> str:
    plain = commune.lower().translate(str.maketrans("éèêëàâîïôöûüç", "eeeeaaiioouuc"))
    return "telecentre-" + "-".join(plain.split())


@hookimpl
def register_services(settings: Settings) -> list[ServiceSpec]:
    """One office service per telecentre of the network."""
    price = Price(free=False, amount=settings.day_pass_eur,
                  per={"fr": "la journée", "en": "a day"},
                  illustrative=settings.day_pass_illustrative)
    return [ServiceSpec(
        slug=_slug(commune),
        category="office_access",
        name={"fr": f"Télécentre de {commune}", "en": f"{commune} telecentre"},
        description={"fr": f"Bureaux et internet haut débit à {commune}, dans le réseau Zevillage.",
                     "en": f"Offices and broadband in {commune}, in the Zevillage network."},
        delivered_by="Zevillage",
        price=price,
    ) for commune in settings.telecentres]


@hookimpl
def incentives_for_profile(settings: Settings, profile: CandidateProfile) -> list[Incentive]:
    """Access to the network: eligible for all; valued only against a daily commute."""
    return [Incentive(
        key="coworking-network",
        title={"fr": "Réseau de télécentres et communauté Zevillage",
               "en": "Telecentre network and Zevillage community"},
        eligible=True,
        category="community",
        reasons=({"fr": "Ouvert à tous ; " + ", ".join(settings.telecentres) + ".",
                  "en": "Open to all; " + ", ".join(settings.telecentres) + "."},),
        yearly_value_eur=None,
        illustrative=settings.day_pass_illustrative,
    )]


@hookimpl
def extra_template_vars(settings: Settings, page: str) -> dict[str, Any]:
    """The telecentres, for the region's home page."""
    return {"telecentres": settings.telecentres} if page == "region_home" else {}
