"""The members of a region's programme, for its staff (API and staff pages)."""

from __future__ import annotations

from campagne.api import members
from campagne.features import Feature
from campagne.features.menu import entry
from campagne.hookspecs import hookimpl
from campagne.plugin_types import MenuEntry, Routes
from campagne.web import staff_pages

FEATURE = Feature("members", switchable=False)


@hookimpl
def app_routes() -> list[Routes]:
    """``/api/v1/regions/{slug}/members`` and the staff pages under ``/{slug}/staff``."""
    return [Routes(members.router, order=109), Routes(staff_pages.router, order=403)]


@hookimpl
def staff_menu_entries(locale: str) -> list[MenuEntry]:
    """The region's members."""
    return [entry("Members", locale, fr="staff/members", en="staff/members", page="staff",
                  order=30)]
