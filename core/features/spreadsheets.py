"""Spreadsheets: exports of a region's records and imports of members and inquiries."""

from __future__ import annotations

from campagne.api import sheets
from campagne.features import Feature
from campagne.hookspecs import hookimpl
from campagne.plugin_types import Routes
from campagne.web import sheet_pages

FEATURE = Feature("spreadsheets")


@hookimpl
def app_routes() -> list[Routes]:
    """The export API and the staff's import and export pages."""
    return [Routes(sheets.router, order=120),
            Routes(sheet_pages.router, order=410, upload_paths=(r"/[^/]+/staff/import$",))]
