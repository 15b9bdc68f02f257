"""The upgrade from release 0.1.0, on SQLite and PostgreSQL: a database at that release's
schema (revision 0008), holding the rows its ``campagne demo`` made, is migrated to this
release's head with every row intact and the new columns at their defaults.

The rows come from ``data/release-0.1.0.json.gz``: release 0.1.0's demo data (synthetic,
fixed seed), exported table by table by ``data/export_release_data.py``, which says how it
was made. They are inserted with SQLAlchemy Core into the tables as 0.1.0's migrations made
them, so that one fixture serves both databases.
"""

from __future__ import annotations

import datetime
import decimal
import gzip
import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, Date, DateTime, Engine, MetaData, Numeric, Table, Time, select, text

from campagne.db import make_engine, upgrade
from campagne.revisions.tracking import untracked
from campagne.schema_state import schema_state

FIXTURE = Path(__file__).parent / "data" / "release-0.1.0.json.gz"
#: The engine's newest revision in release 0.1.0 (core/migrations/versions at its commit).
RELEASE_0_1_0_HEAD = "0008"
#: Columns added since 0.1.0 to the tables it had, with the value its rows must get.
NEW_COLUMNS: dict[tuple[str, str], Any] = {("user_account", "language"): "fr",
                                           ("user_account", "display_name"): None,
                                           ("space", "opening_days"): "1234567"}


def _fixture() -> dict[str, list[dict[str, Any]]]:
    document = json.loads(gzip.decompress(FIXTURE.read_bytes()))
    assert document["revision"] == RELEASE_0_1_0_HEAD
    tables: dict[str, list[dict[str, Any]]] = document["tables"]
    return tables


def _reflect(engine: Engine) -> MetaData:
    metadata = MetaData()
    with warnings.catch_warnings():  # the unique indexes on lower(e-mail) are not needed
        warnings.filterwarnings("ignore", ".*expression-based index")
        metadata.reflect(engine)
    return metadata


def _typed(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """The fixture's row with its ISO strings back as dates and times."""
    typed = dict(row)
    for column in table.columns:
        value = row.get(column.name)
        if value is None or isinstance(column.type, JSON):
            continue
        if isinstance(column.type, DateTime):
            moment = datetime.datetime.fromisoformat(value)
            if column.type.timezone and moment.tzinfo is None:
                moment = moment.replace(tzinfo=datetime.UTC)
            typed[column.name] = moment
        elif isinstance(column.type, Date):
            typed[column.name] = datetime.date.fromisoformat(value)
        elif isinstance(column.type, Time):
            typed[column.name] = datetime.time.fromisoformat(value)
        elif isinstance(column.type, Numeric) and isinstance(value, str):
            typed[column.name] = decimal.Decimal(value)
    return typed


def _plain(value: Any) -> Any:
    """A value as the fixture writes it (naive UTC ISO strings for moments)."""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _load_release_0_1_0(engine: Engine, rows: dict[str, list[dict[str, Any]]]) -> None:
    upgrade(engine, RELEASE_0_1_0_HEAD)
    metadata = _reflect(engine)
    assert set(rows) == set(metadata.tables), "the fixture is not 0.1.0's schema"
    with engine.begin() as connection:
        untracked(connection)  # as release 0.1.0 wrote them: it had no data revisions
        for table in metadata.sorted_tables:
            if table.name != "alembic_version" and rows[table.name]:
                connection.execute(table.insert(), [_typed(table, row) for row in rows[table.name]])
        if engine.dialect.name == "postgresql":  # as if the ids had come from the sequences
            for table in metadata.sorted_tables:
                if "id" in table.columns and rows[table.name]:
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT max(id) FROM {table.name}))"))


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_a_database_filled_by_0_1_0_upgrades_with_its_data(database_url: str) -> None:
    rows = _fixture()
    assert sum(len(table) for table in rows.values()) > 1000
    engine = make_engine(database_url)
    try:
        _load_release_0_1_0(engine, rows)
        upgrade(engine)
        assert schema_state(engine).is_current
        metadata = _reflect(engine)
        added = set()
        with engine.connect() as connection:
            for name, old_rows in rows.items():
                if name == "alembic_version":
                    continue
                table = metadata.tables[name]
                new = [column.name for column in table.columns if column.name not in old_rows[0]] \
                    if old_rows else []
                added |= {(name, column) for column in new}
                order = list(table.primary_key.columns)
                found = [dict(row) for row in connection.execute(
                    select(table).order_by(*order)).mappings()]
                assert len(found) == len(old_rows), name
                keys = [column.name for column in order]
                by_key = {tuple(row[key] for key in keys): row for row in found}
                for old in old_rows:
                    now = by_key[tuple(_typed(table, old)[key] for key in keys)]
                    assert {column: _plain(now[column]) for column in old} == old, name
                    for column in new:
                        assert now[column] == NEW_COLUMNS[(name, column)], (name, column)
        assert added == set(NEW_COLUMNS), "a column was added to a 0.1.0 table: say its default"
        with engine.begin() as connection:  # the upgraded database takes new rows
            connection.execute(text("INSERT INTO region (slug, code, name) "
                                    "VALUES ('cantal', '15', 'Cantal')"))
    finally:
        engine.dispose()
