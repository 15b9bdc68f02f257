"""Shared vocabularies: the categories of services and the sectors of activity.

Sector groups map to codes of the French classification of activities
(INSEE, *Nomenclature d'activités française*, NAF rév. 2, 2008). The two first
groups are the ones the Soho Solo Gers programme publishes figures for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from campagne.i18n_markers import N_

ServiceCategory = Literal[
    "welcome",
    "settling_in",
    "project_follow_up",
    "legal_admin_advice",
    "business_plan",
    "financing",
    "office_access",
    "coworking",
    "thematic_meetings",
    "community",
    "personalised_advice",
    "website",
]

SERVICE_CATEGORIES: dict[str, str] = {
    "welcome": N_("Welcome committee"),
    "settling_in": N_("Help to settle in"),
    "project_follow_up": N_("Follow-up of the professional project"),
    "legal_admin_advice": N_("Legal and administrative advice"),
    "business_plan": N_("Business plan"),
    "financing": N_("Finding financing"),
    "office_access": N_("Offices with broadband"),
    "coworking": N_("Coworking spaces"),
    "thematic_meetings": N_("Monthly thematic meetings"),
    "community": N_("Online community"),
    "personalised_advice": N_("Personalised advice"),
    "website": N_("Dedicated website"),
}


@dataclass(frozen=True)
class Sector:
    """A group of activities, with the NAF rév. 2 sub-classes it covers."""

    slug: str
    label: str
    naf_codes: tuple[str, ...]


SECTORS: tuple[Sector, ...] = (
    Sector("audit_consulting_training", N_("Audit, consulting and training"),
           ("69.20Z", "70.22Z", "85.59A", "85.59B")),
    Sector("it_internet_ecommerce", N_("IT consulting, internet, e-commerce and mail order"),
           ("62.01Z", "62.02A", "63.12Z", "47.91A", "47.91B")),
    Sector("communication_design", N_("Communication, design and photography"),
           ("73.11Z", "74.10Z", "74.20Z")),
    Sector("engineering_architecture", N_("Engineering and architecture"),
           ("71.11Z", "71.12B")),
    Sector("translation_writing", N_("Translation, writing and publishing"),
           ("74.30Z", "58.11Z", "90.03B")),
    Sector("tourism_hospitality", N_("Tourism and hospitality"), ("55.20Z", "79.90Z")),
    Sector("health_wellbeing", N_("Health and well-being"), ("86.90F", "96.04Z")),
    Sector("other", N_("Other activities"), ()),
)

SECTORS_BY_SLUG: dict[str, Sector] = {sector.slug: sector for sector in SECTORS}


def sector_for_naf(code: str) -> Sector:
    """Return the sector group a NAF rév. 2 code belongs to (``other`` when unlisted)."""
    normalised = code.strip().upper()
    for sector in SECTORS:
        if normalised in sector.naf_codes:
            return sector
    return SECTORS_BY_SLUG["other"]


#: Milestones of a member's professional project (``MilestoneKind`` of
#: ``campagne.operations.models``), in the order a project usually reaches them.
MILESTONES: dict[str, str] = {
    "business_plan": N_("Business plan written"),
    "financing": N_("Financing found"),
    "workspace_found": N_("Workspace found"),
    "business_registered": N_("Business registered"),
}
