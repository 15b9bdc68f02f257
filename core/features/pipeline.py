"""The staff pipeline of inquiries: stages, assignment, conversion into members."""

from __future__ import annotations

from campagne.api import inquiry_pipeline
from campagne.features import Feature
from campagne.features.demo import region_row
from campagne.features.menu import entry
from campagne.hookspecs import hookimpl
from campagne.operations.demo_pipeline import seed_pipeline
from campagne.plugin_data import PluginData, engine_session
from campagne.plugin_types import MenuEntry, RegionInfo, Routes
from campagne.web import pipeline_pages

FEATURE = Feature("pipeline", requires=("inquiries",))


@hookimpl
def app_routes() -> list[Routes]:
    """The pipeline's API and staff pages."""
    return [Routes(inquiry_pipeline.router, order=119), Routes(pipeline_pages.router, order=409)]


@hookimpl
def demo_data(region: RegionInfo, data: PluginData) -> None:
    """The staff pipeline's demo inquiries, at every stage."""
    session = engine_session(data)
    row = region_row(data)
    seed_pipeline(session, row, region.config)


@hookimpl
def staff_menu_entries(locale: str) -> list[MenuEntry]:
    """The page of the day and the board of inquiries."""
    return [entry("Today", locale, fr="staff/", en="staff/", page="staff_home", order=10),
            entry("Pipeline", locale, fr="staff/pipeline", en="staff/pipeline",
                  page="staff_board", order=20)]
