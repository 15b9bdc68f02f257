"""The hub's own Alembic migrations (version table ``hub_alembic_version``)."""
