"""The move simulator: what a move to the region would bring a candidate."""

from __future__ import annotations

from campagne.api import simulator
from campagne.features import Feature
from campagne.features.menu import entry
from campagne.hookspecs import hookimpl
from campagne.plugin_types import MenuEntry, Routes
from campagne.web import simulator_pages

FEATURE = Feature("simulator")


@hookimpl
def app_routes() -> list[Routes]:
    """``/api/v1/simulator`` and the simulator pages."""
    return [Routes(simulator.router, order=105), Routes(simulator_pages.router, order=411)]


@hookimpl
def menu_entries(locale: str) -> list[MenuEntry]:
    """The region's simulator."""
    return [entry("Move simulator", locale, fr="simulateur", en="simulateur",
                  page="simulator", order=60)]
