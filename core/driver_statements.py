"""Statements compiled once and run on the DB-API cursor, for the few reads served on
every view, where SQLAlchemy's execution context costs more than the query itself."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, Executable

# SQLite files: one connection of its own per engine and thread, outside the pool, in
# autocommit (each read sees every commit made before it, WAL journaling).
_own_connections: WeakKeyDictionary[Engine, threading.local] = WeakKeyDictionary()
_own_lock = threading.Lock()


@dataclass(frozen=True)
class DriverStatement:
    """A statement compiled once for an engine's dialect and run on its DB-API cursor.

    For the one aggregate of a page served on every view, where SQLAlchemy's execution
    context and result processing cost more than the query itself (bench/README.md). Only
    for statements whose parameters and columns need no type conversion (text and counts).
    """

    sql: str
    order: tuple[str, ...] | None  # bind names in placeholder order (positional styles)
    fixed: dict[str, Any]  # the values of the literals compiled as parameters

    @classmethod
    def compile(cls, statement: Executable, engine: Engine) -> DriverStatement:
        """Compile ``statement`` for ``engine``'s dialect."""
        compiled = statement.compile(dialect=engine.dialect)  # type: ignore[attr-defined]
        order = tuple(compiled.positiontup) if compiled.positional else None
        required = {name for name, bind in compiled.binds.items() if bind.required}
        values = compiled.construct_params(dict.fromkeys(required))
        fixed = {name: value for name, value in values.items() if name not in required}
        return cls(compiled.string, order, fixed)

    def rows(self, engine: Engine, **params: Any) -> list[tuple[Any, ...]]:
        """Run the statement with ``params``; all rows, as tuples. On a SQLite file, on a
        connection of the calling thread's own (the pool's checkout and reset cost more
        than such a read); elsewhere on a pooled connection."""
        values = {**self.fixed, **params}
        arguments: Any = tuple(values[name] for name in self.order) if self.order is not None \
            else values
        own = _own_connection(engine)
        if own is not None:
            return list(own.execute(self.sql, arguments).fetchall())
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(self.sql, arguments)
                return list(cursor.fetchall())
            finally:
                cursor.close()
        finally:
            connection.close()  # back to the pool, which ends any transaction it opened


def _own_connection(engine: Engine) -> Any:
    """The calling thread's own connection to ``engine``'s SQLite file, or ``None`` for
    another database (a server: its connections are the pool's to bound)."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    local = _own_connections.get(engine)
    if local is None:
        with _own_lock:
            local = _own_connections.setdefault(engine, threading.local())
    connection = getattr(local, "connection", None)
    if connection is None:
        args, kwargs = engine.dialect.create_connect_args(engine.url)
        connection = engine.dialect.loaded_dbapi.connect(*args, **kwargs)
        connection.isolation_level = None  # autocommit: no transaction left open
        local.connection = connection
    return connection
