"""The Soho Solo package of the Gers: what a newcomer gets by joining the programme.

Lists the package (welcome committee in a partner village, a CCI adviser, equipped
telecentres, the members' directory and meetings) with the region's published figures.
It has no price of its own, so it is listed without a yearly value; the free offices
are valued by the ``free_offices`` plug-in.
"""

from __future__ import annotations

from campagne.toolkit import CandidateProfile, Incentive, RegionInfo, Source, hookimpl

SOURCE = Source(title="marketing-territorial.org, « La démarche Soho Solo »")


def _figure(region: RegionInfo, key: str) -> str:
    figure = region.config.figure(key)
    return f"{figure.value:g}" if figure else "?"


@hookimpl
def incentives_for_profile(region: RegionInfo, profile: CandidateProfile) -> list[Incentive]:
    """Open to teleworkers, independents and founders alike."""
    villages, telecentres = _figure(region, "partner_villages"), _figure(region, "telecentres")
    business = profile.status in ("independent", "founder")
    reasons = [
        {"fr": f"Un comité d'accueil dans l'un des {villages} villages partenaires, qui propose "
               "des logements et présente les services locaux.",
         "en": f"A welcome committee in one of {villages} partner villages, offering housing "
               "and introducing local services."},
        {"fr": f"{telecentres} télécentres équipés, l'annuaire des membres et les réunions "
               "mensuelles.",
         "en": f"{telecentres} equipped telecentres, the members' directory and monthly "
               "meetings."},
    ]
    if business:
        reasons.append({"fr": "Un conseiller de la CCI pour le statut, le business plan et "
                              "le financement.",
                        "en": "A CCI adviser for legal status, business plan and financing."})
    return [Incentive(
        key="soho-solo-package",
        title={"fr": "L'offre Soho Solo", "en": "The Soho Solo package"},
        eligible=True, category="programme", reasons=tuple(reasons),
        yearly_value_eur=None, source=SOURCE,
        assumptions=({"fr": "Sans prix publié : non chiffrée.",
                      "en": "No published price: not valued."},),
    )]
