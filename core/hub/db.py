"""The hub's database: its own migrations, applied on its own engine."""

from __future__ import annotations

from sqlalchemy import Engine

from campagne.db import upgrade

HUB_MIGRATIONS = "campagne.hub.migrations"


def upgrade_hub(engine: Engine, revision: str = "head") -> None:
    """Bring the hub's schema to ``revision`` (the newest by default)."""
    upgrade(engine, revision, HUB_MIGRATIONS)
