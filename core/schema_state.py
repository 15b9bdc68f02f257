"""Where a database's schema stands against the migrations of this release: current,
behind (migrations pending), or ahead (written by a newer release, which this one must
not serve). Read by ``campagne db upgrade --check``, the start of a web worker and the
readiness check."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from campagne.db import alembic_config
from campagne.plugin_manager import CampagnePluginManager
from campagne.plugin_migrations import plugin_config, version_table


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


@cache
def _engine_revisions() -> tuple[str, frozenset[str]]:
    """The head and every revision of the engine's chain (fixed while a release runs)."""
    from sqlalchemy import create_engine

    script = ScriptDirectory.from_config(alembic_config(create_engine("sqlite://")))
    head = script.get_current_head()
    assert head is not None
    return head, frozenset(rev.revision for rev in script.walk_revisions())


def schema_state(engine: Engine, plugins: CampagnePluginManager | None = None) -> SchemaState:
    """The state of ``engine``'s schema and, given the plug-ins, of theirs."""
    head, known = _engine_revisions()
    behind: list[str] = []
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        for name, record in sorted((plugins.records if plugins else {}).items()):
            if record.migrations is None:
                continue
            heads = set(ScriptDirectory.from_config(plugin_config(engine, record)).get_heads())
            context = MigrationContext.configure(
                connection, opts={"version_table": version_table(record.name)})
            if set(context.get_current_heads()) != heads:
                behind.append(name)
    return SchemaState(current=current, head=head,
                       known=current is None or current in known,
                       plugins_behind=tuple(behind))


class SchemaMismatch(RuntimeError):
    """The database's schema is not the one this release serves: migrated by a newer
    release, or (for a web worker, which does not migrate) with migrations pending."""
