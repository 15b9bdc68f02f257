"""Open statistics: each region's figures, the network's and the regions compared."""

from __future__ import annotations

from campagne.api import network, stats
from campagne.features import Feature
from campagne.hookspecs import hookimpl
from campagne.plugin_types import Routes
from campagne.web import compare_pages

FEATURE = Feature("statistics", switchable=False)


@hookimpl
def app_routes() -> list[Routes]:
    """The statistics API and the ``/comparer`` page."""
    return [Routes(stats.router, order=102), Routes(network.router, order=103),
            Routes(compare_pages.router, order=413)]
