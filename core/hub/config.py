"""``HUB.yaml``: the member instances a hub harvests, read with the strict YAML reader
and validated by a pydantic model; errors are reported as ``file:line``."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from campagne.errors import ConfigError, ConfigInvalid
from campagne.regions import validation_errors
from campagne.yaml_loader import load_yaml_file


class Strict(BaseModel):
    """Unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class MemberInstance(Strict):
    """A chamber's instance: a name for people and the base address of its API."""

    name: str = Field(min_length=2, max_length=120)
    url: str = Field(pattern=r"^https?://[^\s/]+(/\S*)?$", max_length=300)

    @field_validator("name", "url")
    @classmethod
    def _no_control_character(cls, text: str) -> str:
        if CONTROL.search(text):
            raise ValueError("control characters are not allowed")
        return text

    @field_validator("url")
    @classmethod
    def _usable_address(cls, url: str) -> str:
        try:
            httpx.URL(url)
        except (httpx.InvalidURL, ValueError) as exc:
            raise ValueError(f"not a usable address: {exc}") from None
        return url.rstrip("/")


class HubConfig(Strict):
    """The whole of ``HUB.yaml``."""

    instances: list[MemberInstance] = Field(min_length=1)
    database_url: str = Field(default="sqlite:///campagne-hub.db",
                              description="The hub's own database (never an instance's)")
    harvest_every_seconds: int = Field(default=3600, ge=1, le=7 * 86400)
    stale_after_seconds: int = Field(default=3 * 3600, ge=1,
                                     description="A snapshot older than this is stale")
    timeout_seconds: float = Field(default=10, gt=0, le=120,
                                   description="Per network operation: connect, each read")
    retries: int = Field(default=2, ge=0, le=5)
    request_deadline_seconds: float = Field(
        default=30, gt=0, le=600, description="One whole answer, first byte to last")
    harvest_deadline_seconds: float = Field(
        default=900, gt=0, le=86400, description="One whole harvest of every instance")
    max_answer_bytes: int = Field(default=5_000_000, ge=1000, le=100_000_000,
                                  description="The largest answer read, once decompressed")
    parallel_instances: int = Field(default=32, ge=1, le=128,
                                    description="Instances harvested at the same time")

    @model_validator(mode="after")
    def _stale_after_a_missed_harvest(self) -> HubConfig:
        if self.stale_after_seconds < self.harvest_every_seconds:
            raise ValueError("stale_after_seconds must be at least harvest_every_seconds")
        return self

    @field_validator("instances")
    @classmethod
    def _unique_names(cls, instances: list[MemberInstance]) -> list[MemberInstance]:
        seen: set[str] = set()
        for instance in instances:
            if instance.name in seen:
                raise ValueError(f"instance name '{instance.name}' is given twice")
            seen.add(instance.name)
        return instances


def load_hub_config(path: Path) -> HubConfig:
    """Read and validate ``path``; raise :class:`ConfigInvalid` with every error."""
    if not path.is_file():
        raise ConfigInvalid([ConfigError(path, 1, 1, "file not found")])
    source = load_yaml_file(path)
    if not isinstance(source.data, dict):
        raise ConfigInvalid([ConfigError(path, 1, 1, "expected a mapping of keys")])
    try:
        return HubConfig.model_validate(source.data)
    except ValidationError as exc:
        raise ConfigInvalid(validation_errors(source, exc)) from None
