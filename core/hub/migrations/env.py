"""Alembic environment of the hub: its own metadata and its own version table."""

from __future__ import annotations

from alembic import context

from campagne.hub.models import hub_metadata

VERSION_TABLE = "hub_alembic_version"

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=hub_metadata,
                  version_table=VERSION_TABLE, render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
