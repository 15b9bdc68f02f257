"""The 404 of a route in a region where the plug-in that added it is not enabled."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import HTTPException, Request

from campagne.plugin_manager import CampagnePluginManager


def region_gate(manager: CampagnePluginManager, plugin: str
                ) -> Callable[[Request], Awaitable[None]]:
    """A dependency answering 404 when the path's ``{slug}`` names a region where
    ``plugin`` is not enabled (a feature switched off there). A slug that names no region
    is left to the route, which answers its own 404."""
    record = manager.records[plugin]
    off_in = frozenset(slug for slug in _all_regions(manager) if slug not in record.settings)

    async def gate(request: Request) -> None:
        if off_in and request.path_params.get("slug") in off_in:
            raise HTTPException(status_code=404)

    return gate


def _all_regions(manager: CampagnePluginManager) -> set[str]:
    return {slug for record in manager.records.values() for slug in record.settings}
