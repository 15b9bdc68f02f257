"""The migrations of plug-ins that own tables.

Each plug-in's migrations are a chain of their own (``MIGRATIONS``, its first revision's
``branch_labels`` its name), run by the engine's Alembic environment after the engine's
chain, and recorded in a version table of its own (``alembic_version_<plug-in>``): the
engine's ``alembic_version`` only ever holds the engine's revision, so commands that load
no plug-in keep working, and a plug-in taken out of an instance leaves nothing that
breaks the others (decision record 0020).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from campagne.db import alembic_config, upgrade
from campagne.plugin_manager import CampagnePluginManager, PluginRecord

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported where a chain is run or read, as in campagne.db.


class UnknownPlugin(LookupError):
    """No loaded plug-in of that name keeps migrations."""


def version_table(plugin: str) -> str:
    """The table that records where ``plugin``'s migrations stand."""
    return ("alembic_version_" + re.sub(r"[^a-z0-9]+", "_", plugin.lower()).strip("_"))[:63]


def _with_migrations(manager: CampagnePluginManager) -> list[PluginRecord]:
    return [record for _, record in sorted(manager.records.items())
            if record.migrations is not None]


def plugin_config(engine: Engine, record: PluginRecord) -> Config:
    """An Alembic configuration for ``record``'s migrations, on the engine's environment."""
    assert record.migrations is not None
    config = alembic_config(engine)
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(record.migrations).replace("%", "%%"))
    config.attributes["version_table"] = version_table(record.name)
    return config


def _run(engine: Engine, config: Config, action: str, revision: str) -> None:
    from alembic import command

    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def upgrade_plugins(engine: Engine, manager: CampagnePluginManager) -> None:
    """Apply every loaded plug-in's migrations (to their heads), in plug-in name order."""
    for record in _with_migrations(manager):
        _run(engine, plugin_config(engine, record), "upgrade", "heads")


def upgrade_all(engine: Engine, manager: CampagnePluginManager) -> None:
    """The engine's migrations, then every loaded plug-in's."""
    upgrade(engine)
    upgrade_plugins(engine, manager)


def _record(manager: CampagnePluginManager, plugin: str) -> PluginRecord:
    for record in _with_migrations(manager):
        if plugin in (record.name, record.short_name):
            return record
    known = ", ".join(record.name for record in _with_migrations(manager)) or "none"
    raise UnknownPlugin(f"no loaded plug-in '{plugin}' keeps migrations (those that do: "
                        f"{known})")


def downgrade_plugin(engine: Engine, manager: CampagnePluginManager, plugin: str,
                     revision: str = "base") -> None:
    """Take one plug-in's tables back to ``revision`` (``base``: remove them all)."""
    record = _record(manager, plugin)
    _run(engine, plugin_config(engine, record), "downgrade", revision)


def plugins_are_current(engine: Engine, records: Iterable[PluginRecord]) -> bool:
    """True when each plug-in's version table is at its migrations' heads."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.connect() as connection:
        for record in records:
            if record.migrations is None:
                continue
            config = plugin_config(engine, record)
            heads = set(ScriptDirectory.from_config(config).get_heads())
            context = MigrationContext.configure(
                connection, opts={"version_table": version_table(record.name)})
            if set(context.get_current_heads()) != heads:
                return False
    return True
