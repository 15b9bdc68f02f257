"""Serialise the writers that count before they insert (a desk booked, a seat at a meetup),
so that a capacity is never exceeded, on SQLite and on PostgreSQL, by threads or processes.

Two helpers, to use on the session of the request, before reading what is counted:

``lock_row(session, Model, id)``
    Returns the row, read fresh from the database, and holds a lock that only the end of the
    session's transaction (commit or rollback) releases. Any other transaction calling
    ``lock_row`` on the same row waits until then.

    - PostgreSQL: ``SELECT ... FOR UPDATE`` on that row. Other rows stay free, and plain
      reads never wait. Under READ COMMITTED (the default), the statements run after the lock
      is granted see what the previous holder committed.
    - SQLite: the row lock does not exist; the transaction becomes an immediate write
      transaction (``BEGIN IMMEDIATE``): the database's single writer lock is taken before
      anything is read, so the counts read afterwards cannot be stale. Other writers wait
      up to the busy timeout (30 s, see ``campagne.db.make_engine``); readers do not wait
      (WAL journal).

``exclusive_write(session)``
    A context manager for a whole write: it starts the transaction as above on SQLite
    (plain transaction on PostgreSQL, where the caller then locks its rows with
    ``lock_row``), commits at the end of the block and rolls back on an exception.

Typical use::

    with exclusive_write(session):
        space = lock_row(session, Space, space_id)
        taken = count_taken(session, space, day)
        if taken >= space.seats:
            raise Full
        session.add(Booking(...))

The SQLite part relies on the ``sqlite3`` module's default (legacy) transaction control:
it opens a transaction only before INSERT, UPDATE or DELETE, so a connection that has only
read is not in a transaction and can start ``BEGIN IMMEDIATE``; a connection that has
already written holds the writer lock, and the immediate start is not needed. See
docs/decisions/0012-capacity-under-concurrency.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlmodel import Session, SQLModel, select

RowT = TypeVar("RowT", bound=SQLModel)


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def begin_immediate(session: Session) -> None:
    """On SQLite, take the database's writer lock now unless this session's connection
    already holds it (it has written in the current transaction); nothing on other backends."""
    if not _is_sqlite(session):
        return
    connection = session.connection()
    driver: Any = connection.connection.driver_connection
    if not driver.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def lock_row(session: Session, model: type[RowT], row_id: Any) -> RowT | None:
    """The row of ``model`` whose primary key is ``row_id``, read fresh and locked until
    the session's transaction ends (``None`` when there is no such row; on SQLite the
    writer lock is held even then)."""
    begin_immediate(session)
    key = inspect(model).primary_key[0]
    statement = (select(model).where(key == row_id).with_for_update()
                 .execution_options(populate_existing=True))
    return session.exec(statement).first()


@contextmanager
def exclusive_write(session: Session) -> Iterator[Session]:
    """A write transaction started as in ``lock_row`` (SQLite: immediate), committed at the
    end of the block, rolled back if the block raises."""
    begin_immediate(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
