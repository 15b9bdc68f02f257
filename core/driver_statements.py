"""Statements compiled once and run on the DB-API cursor, for the few reads served on
every view, where SQLAlchemy's execution context costs more than the query itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Executable


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
        """Run the statement with ``params`` on a pooled connection; all rows, as tuples."""
        values = {**self.fixed, **params}
        arguments: Any = tuple(values[name] for name in self.order) if self.order is not None \
            else values
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
