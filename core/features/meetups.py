"""Meetups: the region's events, sign-ups, waiting lists and calendars."""

from __future__ import annotations

from campagne.api import events, events_staff
from campagne.features import Feature
from campagne.features.demo import region_row
from campagne.features.menu import entry
from campagne.hookspecs import hookimpl
from campagne.operations.demo_meetups import generate_region_meetups
from campagne.plugin_data import PluginData, engine_session
from campagne.plugin_types import MenuEntry, RegionInfo, Routes
from campagne.web import meetup_account_pages, meetup_pages, meetup_staff_pages

FEATURE = Feature("meetups")


@hookimpl
def app_routes() -> list[Routes]:
    """The meetups' API and pages; ``/account/meetups`` before ``/{slug}/meetups``, which
    would take ``account`` for a region."""
    return [Routes(events.public, order=113), Routes(events_staff.router, order=114),
            Routes(events_staff.mine, order=115),
            Routes(meetup_account_pages.router, order=414),
            Routes(meetup_staff_pages.router, order=415), Routes(meetup_pages.router, order=416)]


@hookimpl
def menu_entries(locale: str) -> list[MenuEntry]:
    """The region's meetups."""
    return [entry("Meetups", locale, fr="rencontres", en="meetups", page="meetups", order=40)]


@hookimpl
def demo_data(region: RegionInfo, data: PluginData) -> None:
    """Meetups and their sign-ups."""
    session = engine_session(data)
    row = region_row(data)
    generate_region_meetups(session, row, region.config)
