"""The instance itself: liveness, the list of regions and of the loaded plug-ins."""

from __future__ import annotations

from campagne.api import health, plugins, regions
from campagne.features import Feature
from campagne.hookspecs import hookimpl
from campagne.plugin_types import Routes

FEATURE = Feature("platform", switchable=False)


@hookimpl
def app_routes() -> list[Routes]:
    """``/healthz``, ``/api/v1/regions`` and ``/api/v1/plugins``."""
    return [Routes(health.router, order=100), Routes(regions.router, order=101),
            Routes(plugins.router, order=104)]
