"""Workspaces: offices, coworking spaces and desks to book."""

from __future__ import annotations

from campagne.api import spaces
from campagne.features import Feature
from campagne.features.demo import region_row
from campagne.features.menu import entry
from campagne.hookspecs import hookimpl
from campagne.operations.demo_spaces import generate_region_spaces
from campagne.plugin_data import PluginData, engine_session
from campagne.plugin_types import MenuEntry, RegionInfo, Routes
from campagne.web import space_pages, space_staff_pages

FEATURE = Feature("spaces")


@hookimpl
def app_routes() -> list[Routes]:
    """The workspaces' API, public pages, bookings and staff pages."""
    return [Routes(spaces.public, order=116), Routes(spaces.router, order=117),
            Routes(spaces.me, order=118), Routes(space_pages.public, order=406),
            Routes(space_pages.account, order=407), Routes(space_staff_pages.router, order=408)]


@hookimpl
def menu_entries(locale: str) -> list[MenuEntry]:
    """The region's workspaces."""
    return [entry("Workspaces", locale, fr="espaces", en="spaces", page="spaces", order=50)]


@hookimpl
def demo_data(region: RegionInfo, data: PluginData) -> None:
    """Offices, coworking spaces and desk bookings."""
    session = engine_session(data)
    row = region_row(data)
    generate_region_spaces(session, row)
