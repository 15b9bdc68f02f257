"""One import at a time per region, whatever the process or host that runs it.

An import matches its rows with the region's records, then writes; two imports of the same
file matching at the same moment would both create every row. So a written import first
takes the region's import lock, held until its transaction ends (commit or rollback), and
only then matches: the second import waits, then finds the first one's records and changes
nothing.

- PostgreSQL: a transaction-level advisory lock on a key made of the schema and the region
  id (advisory locks are per database: two instances in two schemas of one database must
  not wait for each other); nothing else waits for it (not the public form, not a staff
  edit, not the region's row).
- SQLite: ``BEGIN IMMEDIATE``, the database's single writer lock (see
  :mod:`campagne.operations.locking`); other writers wait, readers do not.

The lock is tried at once; when another import holds it, ``waiting`` is called (the command
line says so), then the import waits up to ``wait_seconds``, after which it gives up with
:class:`ImportBusy` and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

NAMESPACE = 0x43_41_4D_50  # "CAMP": the first key of Campagne's advisory locks
WAIT_SECONDS = 30.0  # as long as SQLite's busy timeout (campagne.db.make_engine)
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout reached
# The lock's key: the schema and the region, hashed to the 64 bits advisory locks take.
_KEY = "hashtextextended(current_schema() || ':' || CAST(:region AS text), 0)"


class ImportBusy(Exception):
    """Another import of the region kept its lock longer than the wait allowed."""


def hold_import_lock(session: Session, region_id: int, *,
                     waiting: Callable[[], None] | None = None,
                     wait_seconds: float | None = None) -> None:
    """Take the import lock of region ``region_id`` for the rest of the session's
    transaction, waiting up to ``wait_seconds`` (:data:`WAIT_SECONDS`) for another import;
    raise :class:`ImportBusy` past that."""
    if wait_seconds is None:
        wait_seconds = WAIT_SECONDS
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        _advisory_lock(session.connection(), region_id, waiting, wait_seconds)
    elif dialect == "sqlite":
        _writer_lock(session.connection(), waiting, wait_seconds)
    else:  # pragma: no cover - Campagne runs on SQLite and PostgreSQL only
        raise NotImplementedError(dialect)


def _advisory_lock(connection: Connection, region_id: int,
                   waiting: Callable[[], None] | None, wait_seconds: float) -> None:
    key = {"region": f"{NAMESPACE}:import:{region_id}"}
    if connection.execute(text(f"SELECT pg_try_advisory_xact_lock({_KEY})"), key).scalar():
        return
    if waiting is not None:
        waiting()
    previous = connection.execute(text("SELECT current_setting('lock_timeout')")).scalar()
    wait = f"{max(1, round(wait_seconds * 1000))}ms"  # 0 would mean: wait for ever
    connection.execute(text("SELECT set_config('lock_timeout', :wait, true)"), {"wait": wait})
    try:
        connection.execute(text(f"SELECT pg_advisory_xact_lock({_KEY})"), key)
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise ImportBusy from error
        raise
    connection.execute(text("SELECT set_config('lock_timeout', :wait, true)"),
                       {"wait": previous})


def _writer_lock(connection: Connection, waiting: Callable[[], None] | None,
                 wait_seconds: float) -> None:
    driver: Any = connection.connection.driver_connection
    if driver.in_transaction:  # this transaction has written: it holds the writer lock
        return
    previous = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    try:
        connection.exec_driver_sql("PRAGMA busy_timeout = 0")
        if _begin_immediate(connection):
            return
        if waiting is not None:
            waiting()
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {round(wait_seconds * 1000)}")
        if not _begin_immediate(connection):
            raise ImportBusy
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(previous or 0)}")


def _begin_immediate(connection: Connection) -> bool:
    """Start an immediate transaction; ``False`` when another writer holds the lock."""
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except OperationalError as error:
        if "locked" in str(error.orig) or "busy" in str(error.orig):
            return False
        raise
    return True
