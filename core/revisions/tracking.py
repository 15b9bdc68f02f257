"""Raise the data revision of every region a transaction changed, just before it commits.

What a transaction changes is noted as it goes, on its connection:

* ORM flushes: each new, changed or deleted object of a table that leads to a region (its
  own ``region_id``, or a foreign key to a table that has one: a booking's space, a
  registration's meetup) names that region, or the parent row to look up at commit;
* Core statements (bulk inserts, updates and deletes): an insert whose rows carry
  ``region_id`` names those regions; an update or delete whose ``WHERE`` pins the rows by
  ``id``, by ``region_id`` or by the foreign key to the parent (``id = ...`` or
  ``id IN (...)``, among other conditions joined by ``AND``) names them, looked up at
  commit; any other statement on such a table counts for every region (scope 0), which is
  always safe and only costs a recomputation.

Tables that lead to no region (accounts, audit trail, outbox, jobs) never raise anything:
no figure is computed from them. The counters are raised at commit in ascending order, so
two transactions never wait for each other's counters in opposite orders (no deadlock),
and the locks last only as long as the commit itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, Table, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.dml import Delete, Insert, Update
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, BooleanClauseList

from campagne.revisions.model import ALL_REGIONS, DataRevision

_SCOPES = "campagne.revision_scopes"
_PARENTS = "campagne.revision_parents"
_FLUSHING = "campagne.revision_flushing"
_UNTRACKED = "campagne.revision_untracked"
REVISIONS: Table = DataRevision.__table__  # type: ignore[attr-defined]
# Rows looked up by one query at commit: a statement may name at most 32,766 values on
# SQLite, 65,535 on PostgreSQL, and a transaction may pin more rows than that.
LOOKUP_IDS = 10_000


Path = tuple[str, Table | None]


@cache
def region_paths(table: Table) -> tuple[Path, ...]:
    """How a row of ``table`` names its region: ``("region_id", None)`` when it has the
    column, else ``(column, parent)`` for each foreign key to a table that has it (an
    entry of a timeline names an inquiry or a member: whichever it holds), else none."""
    if "region_id" in table.c:
        return (("region_id", None),)
    paths: list[Path] = []
    for column in table.c:
        for key in sorted(column.foreign_keys, key=lambda fk: fk.target_fullname):
            parent = key.column.table
            if isinstance(parent, Table) and "region_id" in parent.c and key.column.name == "id":
                paths.append((column.name, parent))
                break
    return tuple(paths)


def region_path(table: Table) -> Path | None:
    """The first of :func:`region_paths`, or ``None``."""
    paths = region_paths(table)
    return paths[0] if paths else None


def untracked(connection: Connection) -> None:
    """Leave ``connection``'s changes out of the revisions (schema migrations, which run
    before the table exists and are followed by a restart that empties every cache)."""
    connection.info[_UNTRACKED] = True


def note_all_regions(connection: Connection) -> None:
    """Count the current transaction as a change to every region (for writes the tracking
    cannot see, such as raw DB-API statements)."""
    _note(connection.info, [ALL_REGIONS], {})


def note_regions(connection: Connection, regions: Iterable[int]) -> None:
    """Count the current transaction as a change to ``regions`` (for writes the tracking
    cannot see, such as PostgreSQL's ``COPY``)."""
    _note(connection.info, regions, {})


def track(engine: Engine) -> None:
    """Watch ``engine``'s transactions (once per engine)."""
    if event.contains(engine, "commit", _on_commit):
        return
    event.listen(engine, "before_execute", _on_execute)
    event.listen(engine, "commit", _on_commit)
    event.listen(engine, "rollback", _forget)


def _note(info: dict[Any, Any], scopes: Iterable[int], parents: Mapping[Table, set[Any]]
          ) -> None:
    if info.get(_UNTRACKED):
        return
    info.setdefault(_SCOPES, set()).update(scopes)
    pending = info.setdefault(_PARENTS, {})
    for parent, ids in parents.items():
        pending.setdefault(parent, set()).update(ids)


def _on_execute(connection: Connection, statement: Any, multiparams: Any, params: Any,
                _options: Any) -> None:
    if not isinstance(statement, Insert | Update | Delete):
        return
    info = connection.info
    if info.get(_FLUSHING) or info.get(_UNTRACKED):
        return  # the flush's objects are noted by the session's events, more precisely
    table = _plain(statement.table)
    paths = region_paths(table) if isinstance(table, Table) else ()
    if not paths:
        return
    if isinstance(statement, Insert):
        noted = _inserted(_parameter_sets(multiparams, params), paths)
    else:
        noted = _pinned(statement, table, paths)
    if noted is None:
        _note(info, [ALL_REGIONS], {})
    else:
        _note(info, *noted)


Noted = tuple[set[Any], dict[Table, set[Any]]]


def _inserted(rows: list[Mapping[str, Any]], paths: tuple[Path, ...]) -> Noted | None:
    """The regions (or parent rows) the inserted rows name, or ``None`` if one names none."""
    if not rows:
        return None
    scopes: set[Any] = set()
    parents: dict[Table, set[Any]] = {}
    for row in rows:
        if not _add_named(row.get, paths, scopes, parents):
            return None
    return scopes, parents


def _attribute_of(obj: object) -> Callable[[str], Any]:
    """Read a column's value of an ORM object (``None`` when it has no such attribute)."""
    return lambda column: getattr(obj, column, None)


def _add_named(read: Callable[[str], Any], paths: tuple[Path, ...], scopes: set[Any],
               parents: dict[Table, set[Any]]) -> bool:
    """Add the region (or parent row) a row names by the first of ``paths`` it holds a
    value for, read with ``read(column)``; ``False`` when it holds none."""
    for column, parent in paths:
        value = read(column)
        if value is None:
            continue
        if parent is None:
            scopes.add(value)
        else:
            parents.setdefault(parent, set()).add(value)
        return True
    return False


def _pinned(statement: Update | Delete, table: Table, paths: tuple[Path, ...]
            ) -> Noted | None:
    """The regions (or rows to look up) an update or delete is limited to by its
    ``WHERE``, or ``None`` when it is not limited to known rows. An update that sets a
    column leading to the region could move rows to another one: never pinned."""
    columns = {column for column, _parent in paths}
    if isinstance(statement, Update) and any(
            getattr(key, "key", key) in columns for key in statement._values or {}):
        return None
    where = statement.whereclause
    if where is None:
        return None
    clauses = list(where.clauses) if isinstance(where, BooleanClauseList) \
        and where.operator is operators.and_ else [where]
    for clause in clauses:
        values = _pinned_values(clause, table)
        if values is None:
            continue
        name, found = values
        if name == "id" and paths[0][1] is None:  # the table has the region itself
            return set(), {table: found}
        for column, parent in paths:
            if name == column:
                return (found, {}) if parent is None else (set(), {parent: found})
    return None


def _pinned_values(clause: Any, table: Table) -> tuple[str, set[Any]] | None:
    """``(column name, values)`` of ``table.column = value`` or ``IN (values)``."""
    if not isinstance(clause, BinaryExpression) or not isinstance(clause.right, BindParameter):
        return None
    left, name = clause.left, getattr(clause.left, "key", None)
    if _plain(getattr(left, "table", None)) is not table or not isinstance(name, str):
        return None
    value = clause.right.effective_value
    if clause.operator is operators.eq and value is not None:
        return name, {value}
    if clause.operator is operators.in_op and isinstance(value, list | tuple) \
            and None not in value:
        return name, set(value)
    return None


def _plain(element: Any) -> Any:
    """``element`` without the ORM's annotations (``update(Model)`` names an annotated copy
    of the model's table)."""
    deannotate = getattr(element, "_deannotate", None)
    return deannotate() if deannotate is not None else element


def _parameter_sets(multiparams: Any, params: Any) -> list[Mapping[str, Any]]:
    sets: list[Mapping[str, Any]] = []
    for item in multiparams or ():
        if isinstance(item, Mapping):
            sets.append(item)
        elif isinstance(item, list | tuple):
            sets.extend(entry for entry in item if isinstance(entry, Mapping))
    if isinstance(params, Mapping) and params:
        sets.append(params)
    return sets


def _on_commit(connection: Connection) -> None:
    info = connection.info
    scopes: set[int] = info.pop(_SCOPES, set())
    parents: dict[Table, set[Any]] = info.pop(_PARENTS, {})
    info.pop(_FLUSHING, None)
    if info.pop(_UNTRACKED, False):
        return
    for parent, ids in parents.items():
        ordered, found = sorted(ids), 0
        for start in range(0, len(ordered), LOOKUP_IDS):
            rows = connection.execute(select(parent.c.id, parent.c.region_id).where(
                parent.c.id.in_(ordered[start:start + LOOKUP_IDS]))).all()
            scopes.update(region for _id, region in rows if region is not None)
            found += len(rows)
        if found < len(ids):  # a parent went in the same transaction: whose, unknown
            scopes.add(ALL_REGIONS)
    if scopes:
        connection.execute(_raise(connection, sorted(scopes)))


def _raise(connection: Connection, scopes: list[int]) -> Any:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(REVISIONS).values(
        [{"scope": scope, "revision": 1} for scope in scopes])
    return statement.on_conflict_do_update(index_elements=["scope"],
                                           set_={"revision": REVISIONS.c.revision + 1})


def _forget(connection: Connection) -> None:
    for key in (_SCOPES, _PARENTS, _FLUSHING, _UNTRACKED):
        connection.info.pop(key, None)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    session.connection().info[_FLUSHING] = True


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    scopes: set[int] = set()
    parents: dict[Table, set[Any]] = {}
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__table__", None)
        paths = region_paths(table) if isinstance(table, Table) else ()
        if paths and not _add_named(_attribute_of(obj), paths, scopes, parents):
            scopes.add(ALL_REGIONS)
    info = session.connection().info
    _note(info, scopes, parents)


@event.listens_for(Session, "after_flush_postexec")
def _after_flush_postexec(session: Session, _context: Any) -> None:
    session.connection().info.pop(_FLUSHING, None)
