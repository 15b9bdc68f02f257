"""An instance: the region folders it serves, their plug-ins and its database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from campagne.db import make_engine
from campagne.errors import ConfigError, ConfigInvalid
from campagne.plugin_loading import build_plugin_manager
from campagne.plugin_manager import CampagnePluginManager
from campagne.regions import RegionFolder, load_region_folders
from campagne.settings import CampagneSettings


@dataclass
class Instance:
    """Everything a running Campagne needs; built once at start-up, read-only after."""

    settings: CampagneSettings
    regions: dict[str, RegionFolder]
    plugins: CampagnePluginManager
    engine: Engine

    def region(self, slug: str) -> RegionFolder | None:
        """The region served under ``slug``, if any."""
        return self.regions.get(slug)


def check_region_dirs(paths: list[Path], *, load_entry_points: bool = True) -> list[ConfigError]:
    """Every error in the given region folders and their plug-ins; empty when all is valid."""
    try:
        folders = load_region_folders(paths)
        build_plugin_manager(folders, load_entry_points=load_entry_points)
    except ConfigInvalid as exc:
        return exc.errors
    return []


def load_instance(settings: CampagneSettings, paths: list[Path] | None = None) -> Instance:
    """Load and validate the regions; raise :class:`ConfigInvalid` on any error."""
    dirs = paths if paths is not None else [Path(p) for p in settings.region_dirs]
    if not dirs:
        raise ConfigInvalid([ConfigError(Path("."), 1, 1, "no region folder given")])
    folders = load_region_folders(dirs)
    manager = build_plugin_manager(folders, load_entry_points=settings.load_entry_points)
    for folder in folders:  # checked: the files' positions are no longer needed
        folder.source = folder.source.released()
    manager.engine = make_engine(settings.database_url)  # what the plug-ins' stores open
    return Instance(
        settings=settings,
        regions={folder.slug: folder for folder in folders},
        plugins=manager,
        engine=manager.engine,
    )
