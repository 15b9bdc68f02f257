"""The move simulator: what a move to the region would bring a candidate.

The whole feature lives in this package: the simulation itself (:mod:`.simulation`, which
stores nothing), ``POST /api/v1/simulator`` (:mod:`.api`), the pages ``/simulateur`` and
``/{slug}/simulateur`` (:mod:`.pages`) and their template. The inquiries' eligibility
verdict runs the same simulation (:mod:`campagne.features.pipeline.eligibility` imports
:mod:`.simulation`), so it works in a region where the simulator's pages are switched off.
Checking the values of the plug-ins' profile fields stays in the engine
(:mod:`campagne.profile_fields`): the inquiry form asks them too.

Modules with routes are imported inside the hooks: importing :mod:`.simulation` does not
pull in the web layer.
"""

from __future__ import annotations

from pathlib import Path

from campagne.features import Feature
from campagne.features.menu import entry
from campagne.hookspecs import hookimpl
from campagne.plugin_types import MenuEntry, Routes

FEATURE = Feature("simulator")
TEMPLATES = Path(__file__).parent / "templates"


@hookimpl
def app_routes() -> list[Routes]:
    """``/api/v1/simulator`` and the simulator pages."""
    from campagne.features.simulator import api, pages

    return [Routes(api.router, order=105), Routes(pages.router, order=411)]


@hookimpl
def site_template_dirs() -> list[Path]:
    """The simulator's page (``simulator.html``)."""
    return [TEMPLATES]


@hookimpl
def menu_entries(locale: str) -> list[MenuEntry]:
    """The region's simulator."""
    return [entry("Move simulator", locale, fr="simulateur", en="simulateur",
                  page="simulator", order=60)]
