"""Database engines and migrations. One URL chooses SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

from campagne.revisions.tracking import track as track_revisions

if TYPE_CHECKING:
    from alembic.config import Config

    from campagne.plugin_manager import CampagnePluginManager

# Alembic is imported by the functions that migrate, not here: a web worker, which only
# reads where the schema stands (campagne.migration_chain), is spared its 10 MB.


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for ``postgresql://`` URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def make_engine(url: str) -> Engine:
    """Create an engine whose transactions raise the data revisions of the regions they
    change (:mod:`campagne.revisions`); SQLite gets foreign keys, a busy timeout and WAL
    journaling."""
    url = normalise_url(url)
    if not url.startswith("sqlite"):
        engine = create_engine(url, pool_pre_ping=True)
        track_revisions(engine)
        return engine
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    track_revisions(engine)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if ":memory:" not in url:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session committed at the end of the block, rolled back on error."""
    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(engine: Engine, migrations: str = "campagne.migrations") -> Config:
    """An Alembic configuration for ``engine`` and the migrations package ``migrations``
    (the instance's by default; the hub has its own)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files(migrations)))
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser escaping
    return config


def upgrade(engine: Engine, revision: str = "head",
            migrations: str = "campagne.migrations") -> None:
    """Bring the schema of ``migrations`` to ``revision`` (the newest by default)."""
    from alembic import command

    config = alembic_config(engine, migrations)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def schema_is_current(engine: Engine, plugins: CampagnePluginManager | None = None) -> bool:
    """True when the database is at the newest migration, and, given the plug-ins,
    each plug-in's tables at the newest of theirs."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from campagne.plugin_migrations import plugins_are_current  # it builds on this module

    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        if MigrationContext.configure(connection).get_current_revision() != head:
            return False
    return plugins is None or plugins_are_current(engine, plugins.records.values())
