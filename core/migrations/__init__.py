"""Alembic migrations of the Campagne schema."""
