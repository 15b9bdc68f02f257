"""The follow-up of members' projects: contacts, services delivered, advisors.

The routers and the demo are imported when their hook is called: the engine's modules
(``campagne.gdpr``, the members' pages) import parts of this package, and the package's
pages import them in turn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from campagne.features import Feature
from campagne.hookspecs import hookimpl
from campagne.plugin_data import PluginData
from campagne.plugin_types import Panel, RegionInfo, Routes

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


@hookimpl
def export_member_data(data: PluginData, member_id: int) -> dict[str, Any]:
    """The member's milestones and services used (``milestones``, ``services_used``)."""
    from campagne.features.followup.records import export_followup
    from campagne.plugin_data import engine_session

    return export_followup(engine_session(data), member_id)


@hookimpl
def erase_member_data(data: PluginData, member_id: int) -> None:
    """Forget the notes and advisors of the member's follow-up (kinds and days stay)."""
    from campagne.features.followup.records import erase_followup
    from campagne.plugin_data import engine_session

    erase_followup(engine_session(data), member_id)


@hookimpl
def site_template_dirs() -> list[Path]:
    """The member's view of their own follow-up (``account/my_followup.html``)."""
    return [Path(__file__).parent / "templates"]


@hookimpl
def page_panels(page: str, data: PluginData, member_id: int | None) -> list[Panel]:
    """On a member's account page, their milestones and the services they used; on the
    staff's page of a member, the same with the forms to record them."""
    if member_id is None or page not in ("account", "staff_member"):
        return []
    from campagne.features.followup.context import (
        member_followup_context,
        staff_followup_context,
    )
    from campagne.plugin_data import engine_session

    if page == "staff_member":
        return [Panel("account/staff_followup.html", order=10, context=staff_followup_context(
            engine_session(data), data.region, member_id))]
    return [Panel("account/my_followup.html", order=10, context=member_followup_context(
        engine_session(data), member_id, data.region))]
