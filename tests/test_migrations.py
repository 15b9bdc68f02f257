"""The Alembic migrations build exactly the schema the models describe, and undo it."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import campagne.auth.models
import campagne.models
import campagne.notifications.models
import campagne.operations.models
import campagne.outbox.models  # noqa: F401
from campagne.db import make_engine, schema_is_current, upgrade
from campagne.features.meetups import models as meetup_models  # noqa: F401
from campagne.plugin_data import is_plugin_table

# Made by migration 0013 only where PostgreSQL has pg_trgm, so not in the models.
OPTIONAL_INDEX = "ix_member_name_trgm"


# SQLAlchemy cannot reflect SQLite's indexes on expressions (lower(email), migration 0007):
# they are compared on PostgreSQL only.
@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_upgrade_matches_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    assert schema_is_current(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_object": _engine_object})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []


def _engine_object(item: Any, name: str | None, kind: str, reflected: bool,
                   compare_to: Any) -> bool:
    """Leave out the tables of plug-ins loaded by other tests of this process: they have
    migrations of their own (tests/test_plugin_data.py)."""
    if kind == "index" and name == OPTIONAL_INDEX:
        return False
    table = item if kind == "table" else getattr(item, "table", None)
    return not is_plugin_table(table)


def test_downgrade_removes_every_table(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    upgrade_to_base(engine)
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    assert tables == set()


def upgrade_to_base(engine: object) -> None:
    """Run every downgrade down to an empty schema."""
    from alembic import command

    from campagne.db import alembic_config

    config = alembic_config(engine)  # type: ignore[arg-type]
    with engine.begin() as connection:  # type: ignore[attr-defined]
        config.attributes["connection"] = connection
        command.downgrade(config, "base")


def test_upgrade_twice_is_harmless(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    upgrade(engine)
    assert schema_is_current(engine)
    engine.dispose()
