"""The follow-up of members' projects: contacts, services delivered, advisors."""

from __future__ import annotations

from campagne.api import followup
from campagne.features import Feature
from campagne.features.demo import region_row
from campagne.hookspecs import hookimpl
from campagne.operations.demo_followup import seed_followup
from campagne.plugin_data import PluginData, engine_session
from campagne.plugin_types import RegionInfo, Routes
from campagne.web import followup_pages

FEATURE = Feature("followup")


@hookimpl
def app_routes() -> list[Routes]:
    """The follow-up API and the forms of the staff's member pages."""
    return [Routes(followup.router, order=112), Routes(followup_pages.router, order=405)]


@hookimpl
def demo_data(region: RegionInfo, data: PluginData) -> None:
    """Milestones of the demo members and the services behind them."""
    session = engine_session(data)
    row = region_row(data)
    seed_followup(session, row)
