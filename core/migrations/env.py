"""Alembic environment: runs migrations on the connection Campagne hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, engine_from_config, pool
from sqlmodel import SQLModel

import campagne.auth.models  # accounts, credentials, audit (registers their tables)
import campagne.jobs.models
import campagne.models
import campagne.notifications.models  # opt-outs of notifications
import campagne.operations.models  # inquiries
import campagne.outbox.models  # the mail outbox
import campagne.revisions.model  # noqa: F401 - the data revisions
from campagne.features import import_feature_tables
from campagne.revisions.tracking import untracked

import_feature_tables()  # the built-in features' own tables (meetups, spaces...)
target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    # Schema changes are not counted as changes to the regions' records: the table of the
    # counters may not exist yet, and every process restarts after a migration.
    untracked(connection)
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        # A plug-in's migrations keep their own version table (campagne.plugin_migrations).
        version_table=context.config.attributes.get("version_table", "alembic_version"),
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = engine_from_config(
        context.config.get_section(context.config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as new_connection:
        _run(new_connection)
        new_connection.commit()
