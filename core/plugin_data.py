"""Tables a plug-in owns, and the access that keeps each region's rows to itself.

A plug-in declares its tables as SQLModel models on :class:`RegionScoped` and lists them in
a module attribute ``TABLES``; its Alembic migrations live in the folder its ``MIGRATIONS``
attribute names (see ``docs/plugins.md``, "Plug-ins that keep data"). It reads and writes
them only through a :class:`PluginData`: every query it builds is limited to the region it
was opened for, and only the plug-in's own tables are reachable.

Hooks get a :class:`PluginStore` (argument ``store``) to open one; the GDPR hooks get a
:class:`PluginData` (argument ``data``) bound to the engine's own transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar, cast

from sqlalchemy import Engine, func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Field, Session, SQLModel, col, delete, select

from campagne.models import Region

Row = TypeVar("Row", bound="RegionScoped")
#: The mark in ``Table.info`` of a plug-in's table (the engine's migrations leave them out).
PLUGIN_TABLE = "campagne_plugin_table"


def is_plugin_table(table: Any) -> bool:
    """True for a table a plug-in declared (on :class:`RegionScoped`)."""
    return bool(getattr(table, "info", {}).get(PLUGIN_TABLE))


class RegionScoped(SQLModel):
    """Base of every plug-in table: each row belongs to one region (``region_id``).

    Declare a table as ``class Visit(RegionScoped, table=True)``, with a table name of
    its own (prefix it with the plug-in's name). ``region_id`` is set by
    :meth:`PluginData.add`; a plug-in never sets it.
    """

    # A plug-in module may be imported again in one process (tests, ``campagne check``
    # then serve): its table is then defined again over the same one.
    __table_args__: ClassVar[Any] = {"extend_existing": True, "info": {PLUGIN_TABLE: True}}

    region_id: int = Field(default=0, foreign_key="region.id", index=True)


class NotYourTable(PermissionError):
    """A plug-in asked for a table it did not declare, or a row of another region."""


class PluginData:
    """A plug-in's own tables, seen from one region, over one session.

    It never commits: the session's owner does (the engine for the GDPR hooks,
    :meth:`PluginStore.open` otherwise).
    """

    def __init__(self, session: Session, *, plugin: str, region_slug: str, region_id: int,
                 tables: Sequence[type[RegionScoped]]) -> None:
        self._session = session
        self.plugin = plugin
        self.region = region_slug
        self._region_id = region_id
        self._tables = tuple(tables)

    @property
    def region_id(self) -> int:
        """The database id of the region this object is limited to."""
        return self._region_id

    def _own(self, model: type[Row]) -> type[Row]:
        if model not in self._tables:
            raise NotYourTable(f"{model.__name__} is not a table of plug-in {self.plugin} "
                               "(list it in the module's TABLES)")
        return model

    def _check_row(self, row: RegionScoped) -> None:
        self._own(type(row))
        if row.region_id != self._region_id:
            raise NotYourTable(f"this {type(row).__name__} belongs to another region")

    def add(self, row: Row) -> Row:
        """Store ``row`` in this region (a new row; or one read here, changed)."""
        self._own(type(row))
        if row.region_id not in (0, self._region_id):
            raise NotYourTable(f"this {type(row).__name__} belongs to another region")
        row.region_id = self._region_id
        self._session.add(row)
        self._session.flush()
        return row

    def get(self, model: type[Row], key: Any) -> Row | None:
        """The row of ``model`` with primary key ``key``, ``None`` if it is another region's."""
        row = self._session.get(self._own(model), key)
        return row if row is not None and row.region_id == self._region_id else None

    def rows(self, model: type[Row], *where: ColumnElement[bool] | bool,
             order_by: Any = None, limit: int | None = None) -> list[Row]:
        """This region's rows of ``model`` matching every condition of ``where``."""
        statement = select(self._own(model)).where(
            col(model.region_id) == self._region_id, *where)
        if order_by is not None:
            statement = statement.order_by(order_by)
        if limit is not None:
            statement = statement.limit(limit)
        return list(self._session.exec(statement).all())

    def count(self, model: type[Row], *where: ColumnElement[bool] | bool) -> int:
        """How many of this region's rows of ``model`` match ``where``."""
        statement = select(func.count()).select_from(self._own(model)).where(
            col(model.region_id) == self._region_id, *where)
        return int(self._session.exec(statement).one())

    def delete(self, row: RegionScoped) -> None:
        """Delete one of this region's rows."""
        self._check_row(row)
        self._session.delete(row)
        self._session.flush()

    def delete_where(self, model: type[RegionScoped], *where: ColumnElement[bool] | bool
                     ) -> int:
        """Delete this region's rows of ``model`` matching ``where``; return how many."""
        conditions = [cast(ColumnElement[bool], condition) for condition in where]
        result = self._session.exec(delete(self._own(model)).where(
            col(model.region_id) == self._region_id, *conditions))
        return int(result.rowcount or 0)


def region_id_of(session: Session, slug: str) -> int:
    """The database id of the region served under ``slug``."""
    region_id = session.exec(select(Region.id).where(Region.slug == slug)).one()
    assert region_id is not None
    return region_id


class PluginStore:
    """Opens a plug-in's :class:`PluginData` for one region, in a transaction of its own.

    A hook gets one as its ``store`` argument; a route made by ``register_pages`` or
    ``register_api_routes`` keeps it and opens it per request::

        with store.open() as data:
            visits = data.rows(Visit)
    """

    def __init__(self, *, plugin: str, region_slug: str,
                 tables: Sequence[type[RegionScoped]],
                 engine: Callable[[], Engine | None]) -> None:
        self.plugin = plugin
        self.region = region_slug
        self.tables = tuple(tables)
        self._engine = engine

    @contextmanager
    def open(self) -> Iterator[PluginData]:
        """This region's data, committed when the block ends (rolled back on an error);
        the rows read stay readable after the block."""
        engine = self._engine()
        if engine is None:
            raise RuntimeError("no database: the plug-in manager is not attached to one")
        # Rows read in the block stay readable after it (a page renders them then).
        with Session(engine, expire_on_commit=False) as session:
            data = PluginData(session, plugin=self.plugin, region_slug=self.region,
                              region_id=region_id_of(session, self.region), tables=self.tables)
            try:
                yield data
                session.commit()
            except BaseException:
                session.rollback()
                raise


def engine_session(data: PluginData) -> Session:
    """The session under ``data``, for the engine's own features, whose tables predate
    :class:`RegionScoped` (not part of :mod:`campagne.toolkit`: a plug-in keeps to its
    tables)."""
    return data._session
