"""Writing the planned rows of an import with bulk statements, in the caller's transaction.

The steps are written a batch at a time, in the file's order: the batch's new records in
one statement (PostgreSQL: ``COPY``; SQLite: one prepared ``INSERT`` run for every row),
then its changed records with one ``UPDATE`` per set of changed columns (PostgreSQL: from
the rows copied into a temporary table; SQLite: a prepared statement run for every row).
Each ``UPDATE`` is a compare-and-set on the version read when the rows were matched, so a
record someone saved meanwhile is never overwritten: the import stops with
:class:`ImportConflict` (and the caller rolls everything back).

No model object is built: building one per row costs more than writing it. The data
revisions (:mod:`campagne.revisions`) see the inserts and updates as any other Core
statement (the updates name their region in their ``WHERE``); ``COPY``, which they cannot
see, is noted for its region here."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Integer,
    MetaData,
    Table,
    bindparam,
    insert,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from campagne.features.spreadsheets.fields import FIELDS, Kind
from campagne.features.spreadsheets.matching import TABLES, Step
from campagne.models import Member
from campagne.operations.models import Inquiry, InquirySource
from campagne.revisions.tracking import note_regions

Progress = Callable[[int, int], None]
BATCH = 5_000  # rows a statement writes; progress is reported after each batch
CHANGES = "campagne_import_changes"  # PostgreSQL: the temporary table of an update's rows


class ImportConflict(Exception):
    """A record changed while the import was writing (someone else saved it, or added a
    person the import was adding)."""


def write_steps(session: Session, region_id: int, kind: Kind, steps: Sequence[Step], *,
                now: dt.datetime, progress: Progress | None = None, batch: int = BATCH
                ) -> None:
    """Write ``steps`` (created and changed records; unchanged ones are skipped) in
    batches of ``batch`` rows, calling ``progress(done, total)`` after each batch."""
    connection = session.connection()
    table = TABLES[kind]
    columns = {spec.key: spec.column for spec in FIELDS[kind]}
    template = new_record(kind, region_id, now, columns.values())
    for start in range(0, len(steps), batch):
        chunk = steps[start:start + batch]
        added = [{**template, **{columns[key]: value for key, value in step.changes.items()}}
                 for step in chunk if step.record is None]
        if added:
            insert_rows(connection, table, added, region_id)
        changed = [step for step in chunk if step.record is not None and step.changes]
        if changed:
            update_rows(connection, table, region_id, columns, changed, now)
        if progress is not None:
            progress(start + len(chunk), len(steps))


def new_record(kind: Kind, region_id: int, now: dt.datetime, fields: Iterable[str]
               ) -> dict[str, Any]:
    """The values of a new record before its row's values: the table's defaults (but the
    nulls) and a null for each other column of ``fields`` (every row of a statement must
    name the same columns; a blank cell leaves the default)."""
    model: type[Member] | type[Inquiry] = Member if kind is Kind.MEMBERS else Inquiry
    values = {name: field.get_default(call_default_factory=True)
              for name, field in model.model_fields.items()
              if name != "id" and not field.is_required()}
    values = {name: value for name, value in values.items() if value is not None}
    for name in fields:
        values.setdefault(name, None)
    values.update(region_id=region_id, created_at=now, updated_at=now)
    if kind is Kind.INQUIRIES:
        values.update(source=InquirySource.IMPORT.value, stage_changed_at=now)
    return values


def insert_rows(connection: Connection, table: Table, rows: list[dict[str, Any]],
                region_id: int) -> None:
    """Insert ``rows`` (every one naming the same columns) of region ``region_id``."""
    if connection.dialect.name == "postgresql":
        copy_rows(connection, table, rows)
        note_regions(connection, [region_id])
    else:
        connection.execute(insert(table), rows)


def copy_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` with PostgreSQL's ``COPY ... FROM STDIN``, in the connection's
    transaction; a failure is raised as SQLAlchemy's exception of its kind (a duplicate
    person is an ``IntegrityError``, as from an ``INSERT``)."""
    import psycopg  # the PostgreSQL driver, there whenever PostgreSQL is used

    names = list(rows[0])
    as_json = {name for name in names if isinstance(table.c[name].type, JSON)}
    quote = connection.dialect.identifier_preparer
    statement = (f"COPY {quote.format_table(table)} "
                 f"({', '.join(quote.quote(name) for name in names)}) FROM STDIN")
    driver: psycopg.Connection[Any] = connection.connection.driver_connection  # type: ignore[assignment]
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([json.dumps(row[name]) if name in as_json else row[name]
                                for name in names])
    except psycopg.Error as error:
        raise DBAPIError.instance(statement, None, error, psycopg.Error,
                                  dialect=connection.dialect) from error


def update_rows(connection: Connection, table: Table, region_id: int,
                columns: dict[str, str], steps: list[Step], now: dt.datetime) -> None:
    """Change the records of ``steps`` (of region ``region_id``): one compare-and-set
    ``UPDATE`` per set of changed fields; :class:`ImportConflict` if a record's version is
    no longer the one read. The region, named in each statement, is the one whose data
    revision the update raises (not every region's)."""
    by_fields: dict[tuple[str, ...], list[Step]] = defaultdict(list)
    for step in steps:
        by_fields[tuple(sorted(step.changes))].append(step)
    for keys, group in by_fields.items():
        names = [columns[key] for key in keys]
        rows = [{"record_id": step.record.id, "record_version": step.record.version,
                 **{columns[key]: step.changes[key] for key in keys}}
                for step in group if step.record is not None]
        if connection.dialect.name == "postgresql":
            updated = _update_from_copy(connection, table, region_id, names, rows, now)
        else:
            updated = _update_each(connection, table, region_id, names, rows, now)
        if updated != len(rows):
            raise ImportConflict


def _new_values(table: Table, names: list[str], source: Any, now: dt.datetime
                ) -> dict[str, Any]:
    """The ``SET`` of an import's update: the changed columns from ``source`` (one of its
    columns, or a parameter, by name), the version raised, the times of the change."""
    values: dict[str, Any] = {name: source(name) for name in names}
    values.update(version=table.c.version + 1, updated_at=now)
    if "stage" in names:
        values["stage_changed_at"] = now
    return values


def _update_each(connection: Connection, table: Table, region_id: int, names: list[str],
                 rows: list[dict[str, Any]], now: dt.datetime) -> int:
    """One prepared ``UPDATE`` run for every row (SQLite); the rows it changed."""
    statement = (update(table).where(table.c.region_id == region_id,
                                     table.c.id == bindparam("record_id"),
                                     table.c.version == bindparam("record_version"))
                 .values(_new_values(table, names, lambda name: bindparam(f"new_{name}"), now)))
    parameters = [{"record_id": row["record_id"], "record_version": row["record_version"],
                   **{f"new_{name}": row[name] for name in names}} for row in rows]
    return connection.execute(statement, parameters).rowcount


def _update_from_copy(connection: Connection, table: Table, region_id: int, names: list[str],
                      rows: list[dict[str, Any]], now: dt.datetime) -> int:
    """The rows copied into a temporary table (PostgreSQL), then one ``UPDATE ... FROM`` it
    (a prepared statement run for each row costs a round trip each); the rows it changed."""
    changes = Table(CHANGES, MetaData(), Column("record_id", Integer),
                    Column("record_version", Integer),
                    *(Column(name, table.c[name].type) for name in names),
                    prefixes=["TEMPORARY"], postgresql_on_commit="DROP")
    changes.create(connection)  # gone at the end of the transaction, whatever its end
    copy_rows(connection, changes, rows)
    statement = (update(table).where(table.c.region_id == region_id,
                                     table.c.id == changes.c.record_id,
                                     table.c.version == changes.c.record_version)
                 .values(_new_values(table, names, lambda name: changes.c[name], now)))
    updated = connection.execute(statement).rowcount
    changes.drop(connection)  # the next set of fields makes its own
    return updated
