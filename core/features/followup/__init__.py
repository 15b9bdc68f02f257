"""The follow-up of members' projects: contacts, services delivered, advisors.

The routers and the demo are imported when their hook is called: the engine's modules
(``campagne.gdpr``, the members' pages) import parts of this package, and the package's
pages import them in turn."""

from __future__ import annotations

from campagne.features import Feature
from campagne.hookspecs import hookimpl
from campagne.plugin_data import PluginData
from campagne.plugin_types import RegionInfo, Routes

FEATURE = Feature("followup")


@hookimpl
def app_routes() -> list[Routes]:
    """The follow-up API and the forms of the staff's member pages."""
    from campagne.features.followup import api, pages

    return [Routes(api.router, order=112), Routes(pages.router, order=405)]


@hookimpl
def demo_data(region: RegionInfo, data: PluginData) -> None:
    """Milestones of the demo members and the services behind them."""
    from campagne.features.demo import region_row
    from campagne.features.followup.demo import seed_followup
    from campagne.plugin_data import engine_session

    seed_followup(engine_session(data), region_row(data))
