"""Inquiries: the public form of people thinking of moving, and its API."""

from __future__ import annotations

from campagne.api import inquiries
from campagne.features import Feature
from campagne.features.demo import region_row
from campagne.features.menu import entry
from campagne.hookspecs import hookimpl
from campagne.operations.demo_intake import generate_region_inquiries
from campagne.plugin_data import PluginData, engine_session
from campagne.plugin_types import MenuEntry, RegionInfo, Routes
from campagne.web import inquiry_pages

FEATURE = Feature("inquiries")


@hookimpl
def app_routes() -> list[Routes]:
    """``/api/v1/regions/{slug}/inquiries`` and the inquiry form."""
    return [Routes(inquiries.router, order=106), Routes(inquiry_pages.router, order=412)]


@hookimpl
def menu_entries(locale: str) -> list[MenuEntry]:
    """The inquiry form."""
    return [entry("Send an inquiry", locale, fr="candidater", en="apply",
                  page="inquiry_form", order=30)]


@hookimpl
def demo_data(region: RegionInfo, data: PluginData) -> None:
    """People who wrote and are not members yet."""
    session = engine_session(data)
    row = region_row(data)
    generate_region_inquiries(session, row, region.config)
