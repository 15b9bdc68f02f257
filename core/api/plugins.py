"""``/api/v1/plugins``: which plug-ins are loaded, where they run, and their health."""

from __future__ import annotations

from fastapi import APIRouter

from campagne.api.deps import InstanceDep
from campagne.api.schemas import PluginFailureOut, PluginOut

router = APIRouter(prefix="/api/v1/plugins", tags=["plugins"])


@router.get("", summary="List the plug-ins")
def list_plugins(instance: InstanceDep) -> list[PluginOut]:
    """Every plug-in, the regions where it is enabled, and its failures in this process."""
    manager = instance.plugins
    return [
        PluginOut(
            name=record.name,
            source=record.source,
            origin=record.origin,
            regions=record.regions,
            hooks=record.hooks(manager.pm),
            tables=record.table_names,
            status="failing" if record.failures else "ok",
            failures=[PluginFailureOut(hook=f.hook, region=f.region, message=f.message, at=f.at)
                      for f in record.failures],
            settings_schema=record.settings_model.model_json_schema()
            if record.settings_model else None,
        )
        for _, record in sorted(manager.records.items())
    ]
