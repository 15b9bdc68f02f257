"""Where a database's schema stands against the migrations of this release: current,
behind (migrations pending), or ahead (written by a newer release, which this one must
not serve). Read by ``campagne db upgrade --check``, the start of a web worker and the
readiness check."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, inspect, text

from campagne.migration_chain import engine_chain
from campagne.plugin_manager import CampagnePluginManager, PluginRecord


@dataclass(frozen=True)
class SchemaState:
    """The engine's chain, and the plug-ins' chains that are not at their heads."""

    current: str | None
    head: str
    known: bool
    plugins_behind: tuple[str, ...] = field(default=())

    @property
    def is_current(self) -> bool:
        """Nothing to migrate, nothing unknown."""
        return self.known and self.current == self.head and not self.plugins_behind

    def describe(self) -> str:
        """One sentence for an operator."""
        if not self.known:
            return (f"the database is at revision {self.current}, which this release does "
                    f"not know (its newest is {self.head}): it was migrated by a newer "
                    "release; run that release, or restore a backup made for this one")
        pending = []
        if self.current != self.head:
            pending.append(f"the engine's ({self.current or 'empty'} -> {self.head})")
        pending += [f"plug-in {name}'s" for name in self.plugins_behind]
        if pending:
            return ("migrations are pending: " + ", ".join(pending)
                    + "; run campagne db upgrade")
        return f"the schema is current (revision {self.head})"


def schema_state(engine: Engine, plugins: CampagnePluginManager | None = None) -> SchemaState:
    """The state of ``engine``'s schema and, given the plug-ins, of theirs."""
    chain = engine_chain()
    with_migrations = sorted((name, record) for name, record
                             in (plugins.records if plugins else {}).items()
                             if record.migrations is not None)
    with engine.connect() as connection:
        versions = recorded_versions(connection, "alembic_version")
        current = ",".join(versions) if versions else None  # several: not a known one
        behind = [name for name, record in with_migrations
                  if not _plugin_is_current(engine, connection, record)]
    return SchemaState(current=current, head=chain.head,
                       known=current is None or current in chain.revisions,
                       plugins_behind=tuple(behind))


def recorded_versions(connection: Connection, table: str) -> tuple[str, ...]:
    """The revisions a version table records (none when it does not exist yet)."""
    if not inspect(connection).has_table(table):
        return ()
    rows = connection.execute(text(f"SELECT version_num FROM {table}"))  # noqa: S608 - ours
    return tuple(sorted(str(row[0]) for row in rows))


def _plugin_is_current(engine: Engine, connection: Connection, record: PluginRecord) -> bool:
    """Whether a plug-in's tables are at the heads of its migrations (read by Alembic:
    imported only when a loaded plug-in keeps migrations)."""
    from alembic.script import ScriptDirectory

    from campagne.plugin_migrations import plugin_config, version_table

    heads = set(ScriptDirectory.from_config(plugin_config(engine, record)).get_heads())
    return set(recorded_versions(connection, version_table(record.name))) == heads


class SchemaMismatch(RuntimeError):
    """The database's schema is not the one this release serves: migrated by a newer
    release, or (for a web worker, which does not migrate) with migrations pending."""
