"""The public pages of a region: its home, its services, its privacy notice."""

from __future__ import annotations

from campagne.features import Feature
from campagne.hookspecs import hookimpl
from campagne.plugin_types import Routes
from campagne.web import pages, privacy_pages, site_files

FEATURE = Feature("pages", switchable=False)


@hookimpl
def app_routes() -> list[Routes]:
    """The region's home first (matched before every other route), ``/robots.txt``,
    ``/sitemap.xml`` and ``/favicon.ico``, the catch-all region pages last."""
    return [Routes(starlette_routes=(pages.region_home_route(),), order=0),
            Routes(site_files.router, order=150),
            Routes(privacy_pages.router, order=404), Routes(pages.router, order=900)]
