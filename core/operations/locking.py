"""Serialising writers on one row, the same way on SQLite and PostgreSQL.

Some decisions read rows and then write according to what they read: "is there a place
left at this meetup?", "is this desk free that day?". Two requests deciding at the same time
would both see the last place free. The cure is to take a lock on the row that stands for
the shared resource (the meetup, the space) before reading anything the decision depends
on, and to keep it until the transaction ends.

* PostgreSQL: ``SELECT ... FOR UPDATE`` locks the row; a second transaction asking for the
  same lock waits until the first commits or rolls back, then reads the committed state
  (each statement of READ COMMITTED takes a fresh snapshot).
* SQLite has no row locks: ``BEGIN IMMEDIATE`` takes the database's write lock at once
  (instead of at the first write, as the driver's implicit ``BEGIN`` does), so a second
  writer waits for it (up to the busy timeout that :func:`campagne.db.make_engine` sets)
  and then reads what the first one committed. Readers are not blocked (WAL journal).

Use::

    meetup = lock_row(session, Meetup, meetup_id)   # first thing of the transaction
    if meetup is None: ...                           # the row does not exist
    ...read, decide, write...
    session.commit()                                 # releases the lock

The lock is held until ``session.commit()`` or ``session.rollback()``. Keep the
transaction short: send e-mail and call plug-ins after the commit.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import inspect
from sqlmodel import Session, SQLModel, select

T = TypeVar("T", bound=SQLModel)


class LockOrderError(RuntimeError):
    """The transaction had already written before the lock was asked for."""


def is_sqlite(session: Session) -> bool:
    """True when the session talks to SQLite."""
    return session.get_bind().dialect.name == "sqlite"


def begin_write(session: Session) -> None:
    """Make the session's transaction a writer from now on.

    On SQLite this runs ``BEGIN IMMEDIATE`` (it waits for other writers, up to the busy
    timeout). It must come before the transaction's first write: the driver then opens a
    deferred transaction of its own, and :class:`LockOrderError` says so. Reads done before
    it ran outside any transaction and must be done again (:func:`lock_row` does).
    Nothing to do on PostgreSQL, where the row lock serialises the writers.
    """
    if not is_sqlite(session):
        return
    connection = session.connection()
    driver = connection.connection.dbapi_connection
    if driver is not None and getattr(driver, "in_transaction", False):
        raise LockOrderError("begin_write() must come before the transaction's first write")
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def lock_row(session: Session, model: type[T], row_id: int) -> T | None:
    """Lock the row ``row_id`` of ``model`` until the end of the transaction and return it
    as stored now (``None`` when there is no such row).

    PostgreSQL: ``SELECT ... FOR UPDATE``. SQLite: :func:`begin_write`, then a plain
    ``SELECT``. Either way the object is read again from the database, even when the
    session already held a copy.
    """
    begin_write(session)
    key = inspect(model).primary_key[0]
    statement = (select(model).where(key == row_id).with_for_update()
                 .execution_options(populate_existing=True))
    return session.exec(statement).first()
