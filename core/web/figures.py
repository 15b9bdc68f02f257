"""The member figures as the pages show them: counted on every view, labelled in the
request's language, with the number of synthetic (generated demonstration) members among
them, which the pages must say."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from campagne.i18n import current_locale, translations
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
    labels = _sector_labels(current_locale.get())
    return PageFigures(
        members_total=figures.total,
        members_by_sector=tuple(SectorRow(label, counts.get(slug, 0)) for slug, label in labels),
        synthetic_members=figures.synthetic,
    )


@lru_cache(maxsize=8)
def _sector_labels(locale: str) -> tuple[tuple[str, str], ...]:
    """Each sector group's slug and label in ``locale`` (the catalogues are read once)."""
    return tuple((sector.slug, translations(locale).gettext(sector.label)) for sector in SECTORS)
