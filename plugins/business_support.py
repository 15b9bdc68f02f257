"""Business support: business plan help, financing search and legal advice, as incentives.

Reads the region's own catalogue: each support service it offers becomes an
incentive for candidates who create or run a business. Its value is the
service's price when the region publishes one, and is left unvalued otherwise.
"""

from __future__ import annotations

from campagne import hookimpl
from campagne.plugin_types import CandidateProfile, Incentive, RegionInfo

SUPPORT_CATEGORIES = ("business_plan", "financing", "legal_admin_advice")
FOR_BUSINESSES = ("independent", "founder")


@hookimpl
def incentives_for_profile(region: RegionInfo, profile: CandidateProfile) -> list[Incentive]:
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
        priced = service.price.amount if not service.price.free else None
        incentives.append(Incentive(
            key=f"support-{service.slug}",
            title=service.name,
            eligible=eligible,
            reasons=(reason,),
            yearly_value_eur=priced if eligible else None,
            source=service.price.source,
            illustrative=service.price.illustrative,
        ))
    return incentives
