"""Settings read from the environment (``CAMPAGNE_*``), one class for the whole instance."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///campagne.db"


class CampagneSettings(BaseSettings):
    """Instance settings; every one may be set as ``CAMPAGNE_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="CAMPAGNE_", extra="ignore")

    database_url: str = Field(default=DEFAULT_DATABASE_URL,
                              description="SQLAlchemy URL: sqlite:///file.db or postgresql://...")
    region_dirs: list[str] = Field(default_factory=list,
                                   description="Region folders served (JSON list)")
    load_entry_points: bool = Field(default=True,
                                    description="Load plug-ins of installed packages")
    default_locale: str = Field(default="fr", pattern="^(fr|en)$")
    log_level: str = "INFO"
