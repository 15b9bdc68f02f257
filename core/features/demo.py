"""What the features' demo data needs of the engine."""

from __future__ import annotations

from campagne.models import Region
from campagne.plugin_data import PluginData, engine_session


def region_row(data: PluginData) -> Region:
    """The database row of the region ``data`` is limited to."""
    region = engine_session(data).get(Region, data.region_id)
    assert region is not None
    return region
