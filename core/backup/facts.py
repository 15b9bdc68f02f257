"""Read a database's revisions and row counts, and compare them with a manifest."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, inspect, text

from campagne.backup.errors import BackupError
from campagne.backup.manifest import DatabaseFacts, Manifest

ENGINE_VERSION_TABLE = "alembic_version"
PLUGIN_VERSION_PREFIX = "alembic_version_"


# Table names come from the database's own catalogue and are quoted by the dialect.


def database_facts(connection: Connection) -> DatabaseFacts:
    """The engine's revision, each plug-in's (its ``alembic_version_*`` table) and the row
    count of every table, as the connection's transaction sees them."""
    names = sorted(name for name in inspect(connection).get_table_names()
                   if not name.startswith("sqlite_"))
    tables = {name: _count(connection, name) for name in names}
    revision = None
    if ENGINE_VERSION_TABLE in tables:
        revision = connection.execute(
            text(f"SELECT version_num FROM {ENGINE_VERSION_TABLE}")).scalar()  # noqa: S608
    plugins = {name: sorted(str(row) for row in connection.execute(
        text(f"SELECT version_num FROM {_quote(connection, name)}")).scalars())  # noqa: S608
        for name in names if name.startswith(PLUGIN_VERSION_PREFIX)}
    return DatabaseFacts(revision=revision, plugins=plugins, tables=tables)


def holds_data(engine: Engine) -> bool:
    """Whether any table of the database has a row."""
    with engine.connect() as connection:
        return any(database_facts(connection).tables.values())


def check_restored(facts: DatabaseFacts, manifest: Manifest) -> None:
    """Raise :class:`BackupError` unless the restored database is what the manifest says."""
    if facts.revision != manifest.revision:
        raise BackupError(f"the restored database is at revision {facts.revision}, its "
                          f"manifest says {manifest.revision}")
    wrong = sorted(name for name, count in manifest.tables.items()
                   if facts.tables.get(name) != count)
    if wrong:
        details = ", ".join(f"{name} ({facts.tables.get(name)} rows, expected "
                            f"{manifest.tables[name]})" for name in wrong[:5])
        raise BackupError(f"the restored database does not match the manifest: {details}")


def _count(connection: Connection, table: str) -> int:
    return int(connection.execute(
        text(f"SELECT count(*) FROM {_quote(connection, table)}")).scalar_one())  # noqa: S608


def _quote(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)
