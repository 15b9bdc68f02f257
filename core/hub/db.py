"""The hub's database: its own migrations, applied on its own engine."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine


def hub_alembic_config(engine: Engine) -> Config:
    """An Alembic configuration for the hub's migrations."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("campagne.hub.migrations")))
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_hub(engine: Engine, revision: str = "head") -> None:
    """Bring the hub's schema to ``revision`` (the newest by default)."""
    config = hub_alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
