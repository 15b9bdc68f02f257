"""The member figures as the pages show them: counted on every view, labelled in the
request's language, with the number of synthetic (generated demonstration) members among
them, which the pages must say."""

from __future__ import annotations

from dataclasses import dataclass

from campagne.i18n import gettext
from campagne.queries import MemberFigures
from campagne.taxonomy import SECTORS


@dataclass(frozen=True, slots=True)
class SectorRow:
    """Members of one sector group."""

    label: str
    members: int


@dataclass(frozen=True, slots=True)
class PageFigures:
    """A region's current members, as the template of its home reads them (the names of
    ``KeyFigures``, without its validation, which the page does not need)."""

    members_total: int
    members_by_sector: tuple[SectorRow, ...]
    synthetic_members: int


def page_figures(figures: MemberFigures) -> PageFigures:
    """Every sector group in taxonomy order (zero included), labels in the current language."""
    counts = figures.by_sector
    return PageFigures(
        members_total=figures.total,
        members_by_sector=tuple(SectorRow(gettext(sector.label), counts.get(sector.slug, 0))
                                for sector in SECTORS),
        synthetic_members=figures.synthetic,
    )
