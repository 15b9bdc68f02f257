"""Spreadsheets in and out: members and inquiries of a region imported from CSV or XLSX files
(with a column mapping step, every row validated, all or nothing, idempotent re-import) and
exported as CSV or XLSX (escaped against formula injection, audited).

- ``fields``: the columns a kind of record has, their header synonyms and the automatic
  mapping of a file's headers;
- ``reading``: reading a CSV or XLSX file within limits;
- ``checks``: checking one value (e-mail, SIRET, sector, date...);
- ``validation``: checking every row of a file;
- ``matching``: matching the valid rows with the region's records;
- ``writing``: writing them with bulk statements (``COPY`` on PostgreSQL);
- ``importer``: the import's use case, in one transaction, with the report;
- ``exporter``: the filtered lists as CSV or XLSX;
- ``uploads``: the uploaded file kept during the mapping step;
- ``api``, ``pages``, ``cli``: the export API, the staff's pages, ``campagne import`` and
  ``campagne export``.
"""

from __future__ import annotations

from pathlib import Path

from campagne.features import Feature
from campagne.features.spreadsheets import api, cli, pages
from campagne.hookspecs import hookimpl
from campagne.plugin_data import PluginData, engine_session
from campagne.plugin_types import Commands, Routes

FEATURE = Feature("spreadsheets", purged="abandoned spreadsheet upload(s) deleted.")
TEMPLATES = Path(__file__).with_name("templates")


@hookimpl
def app_routes() -> list[Routes]:
    """The export API and the staff's import and export pages."""
    return [Routes(api.router, order=120),
            Routes(pages.router, order=410, upload_paths=(r"/[^/]+/staff/import$",))]


@hookimpl
def site_template_dirs() -> list[Path]:
    """The import pages' templates."""
    return [TEMPLATES]


@hookimpl
def cli_commands() -> list[Commands]:
    """``campagne import`` and ``campagne export``."""
    return [Commands(names=("import", "export"), add_parsers=cli.add_parsers, run=cli.run)]


@hookimpl
def purge_personal_data(data: PluginData) -> int:
    """Delete the region's uploaded spreadsheets whose import was never confirmed."""
    from campagne.features.spreadsheets.uploads import sweep

    return sweep(engine_session(data), data.region)
