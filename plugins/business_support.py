"""Business support: business plan help, financing search and legal advice, as incentives.

Reads the region's own catalogue: each support service it offers becomes an
incentive for candidates who create or run a business. Its value is the
service's price when the region publishes one; a free service is valued at the
market value the region gives in its settings (``values``, by service category,
each with its source or ``illustrative: true``), and is listed unvalued otherwise.
A service is used once: its value counts in the first year.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from campagne.toolkit import (
    CandidateProfile,
    Incentive,
    RegionInfo,
    ServiceSpec,
    SourcedValue,
    hookimpl,
)

SUPPORT_CATEGORIES = ("business_plan", "financing", "legal_admin_advice")
FOR_BUSINESSES = ("independent", "founder")
ONE_OFF = {"fr": "Prestation ponctuelle, comptée la première année.",
           "en": "A one-off service, counted in the first year."}


class Settings(BaseModel):
    """Market values of free support services, by service category (all optional)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    values: dict[str, SourcedValue] = {}


def _value(service: ServiceSpec, settings: Settings | None) -> SourcedValue | None:
    """The service's price, or the market value the region gives, or none."""
    if not service.price.free and service.price.amount is not None:
        return SourcedValue(value=service.price.amount, source=service.price.source,
                            illustrative=service.price.illustrative or not service.price.source)
    return settings.values.get(service.category) if settings else None


@hookimpl
def incentives_for_profile(region: RegionInfo, settings: Settings | None,
                           profile: CandidateProfile) -> list[Incentive]:
    """One incentive per support service of the region; employees are told why not."""
    incentives = []
    for service in region.config.services:
        if service.category not in SUPPORT_CATEGORIES:
            continue
        eligible = profile.status in FOR_BUSINESSES
        reason = (
            {"fr": "Réservé aux indépendants et aux créateurs d'entreprise.",
             "en": "For independents and business founders."}
            if not eligible else
            {"fr": f"Proposé par {service.delivered_by}.",
             "en": f"Offered by {service.delivered_by}."}
        )
        value = _value(service, settings)
        unvalued = {"fr": "Sans prix publié : non chiffré.",
                    "en": "No published price: not valued."}
        incentives.append(Incentive(
            key=f"support-{service.slug}",
            title=service.name,
            eligible=eligible,
            reasons=(reason,),
            yearly_value_eur=value.value if value and eligible else None,
            source=value.source if value else service.price.source,
            illustrative=value.illustrative if value else service.price.illustrative,
            category="business_support",
            assumptions=(ONE_OFF if value else unvalued,),
        ))
    return incentives
