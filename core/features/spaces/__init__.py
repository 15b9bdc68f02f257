"""Workspaces: offices, coworking spaces and desks to book.

The whole feature lives in this package: its tables (:mod:`.models`), the booking rules
(:mod:`.bookings`), the use cases that change bookings (:mod:`.booking_actions`), the API
(:mod:`.api`), the pages (:mod:`.pages`, :mod:`.pages_staff`), its templates, its demo data,
its figures for the statistics (:mod:`.figures`) and the retention of guests' names.

The hooks import the modules they use when called: importing the tables or the booking
rules (as the engine's migrations and its erasure do) does not import the web layer,
which itself imports them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from campagne.features import Feature
from campagne.features.demo import region_row
from campagne.features.menu import entry
from campagne.hookspecs import hookimpl
from campagne.i18n_markers import N_
from campagne.plugin_data import PluginData, engine_session
from campagne.plugin_types import (
    MenuEntry,
    NotificationKind,
    Panel,
    PlaceLink,
    RegionInfo,
    Routes,
)
from campagne.stats.period import Period
from campagne.stats.schema import Measure

FEATURE = Feature("spaces", purged="desk booking guest(s) forgotten.")
TEMPLATES = Path(__file__).parent / "templates"


@hookimpl
def app_routes() -> list[Routes]:
    """The workspaces' API, public pages, bookings and staff pages."""
    from campagne.features.spaces import api, pages, pages_booked, pages_staff
    return [Routes(api.public, order=116), Routes(api.router, order=117),
            Routes(api.me, order=118), Routes(pages.public, order=406),
            Routes(pages.account, order=407), Routes(pages_booked.router, order=409),
            Routes(pages_staff.router, order=408)]


@hookimpl
def site_template_dirs() -> list[Path]:
    """The pages of spaces and their staff pages."""
    return [TEMPLATES]


@hookimpl
def menu_entries(locale: str) -> list[MenuEntry]:
    """The region's workspaces."""
    return [entry("Workspaces", locale, fr="espaces", en="spaces", page="spaces", order=50)]


@hookimpl
def delivery_places(listing: str, region: RegionInfo, data: PluginData,
                    locale: str) -> list[PlaceLink]:
    """The region's open spaces, for a service delivered at ``spaces``."""
    if listing != "spaces":
        return []
    from campagne.features.spaces.records import region_spaces
    base = "espaces" if locale == "fr" else "spaces"
    return [PlaceLink(label=space.name, path=f"{base}/{space.id}", detail=space.commune)
            for space in region_spaces(engine_session(data), region.slug)]


@hookimpl
def demo_data(region: RegionInfo, data: PluginData) -> None:
    """Offices, coworking spaces and desk bookings."""
    from campagne.features.spaces.demo import generate_region_spaces
    session = engine_session(data)
    row = region_row(data)
    generate_region_spaces(session, row)


@hookimpl
def operations_figures(data: PluginData, period: Period, threshold: int
                       ) -> dict[str, Measure]:
    """Desk occupancy in the region's active spaces."""
    from campagne.features.spaces import figures
    return {"desk_occupancy": figures.desk_occupancy(engine_session(data), data.region_id,
                                                     period, threshold)}


@hookimpl
def export_member_data(data: PluginData, member_id: int) -> dict[str, Any]:
    """The member's desk bookings (``desk_bookings`` in the export)."""
    from campagne.features.spaces.privacy import member_bookings

    return {"desk_bookings": member_bookings(engine_session(data), member_id)}


@hookimpl
def erase_member_data(data: PluginData, member_id: int) -> None:
    """Free the desks an erased member booked for the days to come."""
    from campagne.features.spaces.privacy import release_member_desks

    release_member_desks(engine_session(data), member_id)


@hookimpl
def purge_personal_data(data: PluginData) -> int:
    """Forget the guests' names on the region's bookings of three months ago."""
    from campagne.features.spaces.privacy import forget_past_desk_guests

    return forget_past_desk_guests(engine_session(data), region_id=data.region_id)


@hookimpl
def staff_menu_entries(locale: str) -> list[MenuEntry]:
    """The staff's list of spaces."""
    return [entry("Spaces", locale, fr="staff/spaces", en="staff/spaces",
                  page="staff_spaces", order=50)]


@hookimpl
def page_panels(page: str, data: PluginData, member_id: int | None,
                locale: str) -> list[Panel]:
    """On a member's account page, their desk bookings from today; in the privacy notice,
    how long the names of guests are kept; on the region's home, the open spaces."""
    if page == "region_home":
        from campagne.features.spaces.records import region_spaces

        base = f"/{data.region}/{'spaces' if locale == 'en' else 'espaces'}"
        return [Panel("spaces/home_panel.html", order=30, context={
            "base": base, "spaces": region_spaces(engine_session(data), data.region)})]
    if page == "privacy":
        from campagne.features.meetups.privacy import GUEST_DAYS

        return [Panel("spaces/privacy_panel.html", order=50, context={"guest_days": GUEST_DAYS})]
    if page != "account" or member_id is None:
        return []
    from campagne.features.spaces.pages import member_upcoming_bookings

    return [Panel("account/bookings.html", order=20, context={
        "bookings": member_upcoming_bookings(engine_session(data), member_id, data.region)})]


@hookimpl
def notification_kinds() -> list[NotificationKind]:
    """``desk_booking``: the confirmation of a desk booked for a member (always sent)."""
    return [NotificationKind(key="desk_booking", label=N_("The confirmation of a desk booked "
                                                          "for me, with its calendar file"),
                             audience="member", optional=False)]
