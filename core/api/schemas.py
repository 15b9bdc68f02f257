"""Shapes of the API's answers (no personal data in any of them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from campagne.config import Figure, Programme, ServiceConfig


class RegionSummary(BaseModel):
    """A region in the list of regions."""

    slug: str = Field(examples=["gers"])
    code: str = Field(description="INSEE code of the département", examples=["32"])
    name: str = Field(examples=["Gers"])
    administrative_region: str = Field(examples=["Occitanie"])
    programme: Programme
    url: str = Field(description="Address of the region's API resource",
                     examples=["/api/v1/regions/gers"])


class SectorCount(BaseModel):
    """Members of one sector group."""

    sector: str = Field(examples=["audit_consulting_training"])
    label: str = Field(examples=["Audit, conseil, formation"])
    naf_codes: list[str] = Field(examples=[["69.20Z", "70.22Z"]])
    members: int = Field(examples=[70])


class KeyFigures(BaseModel):
    """Aggregates computed from the member records."""

    members_total: int = Field(examples=[350])
    members_by_sector: list[SectorCount]


class RegionDetail(RegionSummary):
    """One region with its key figures and its published, sourced figures."""

    key_figures: KeyFigures
    published_figures: list[Figure]


class ServiceOut(ServiceConfig):
    """A service of a region's catalogue."""

    model_config = ConfigDict(frozen=True)
    category_label: str = Field(examples=["Comité d'accueil"])
    plugin: str | None = Field(default=None, description="Plug-in that adds it, if any")
    url: str = Field(examples=["/api/v1/regions/gers/services/welcome-committee"])


class PluginFailureOut(BaseModel):
    """A contained failure of a plug-in, as seen by this server process."""

    hook: str
    region: str | None
    message: str
    at: dt.datetime


class PluginOut(BaseModel):
    """A registered plug-in and its health."""

    name: str = Field(examples=["gers.free_offices"])
    source: str = Field(description="region, shared or package", examples=["region"])
    origin: str = Field(description=(
        "Where it comes from: for a region plug-in, its file relative to the region's "
        "folder; for a shared one, its module; for a package, its distribution"),
        examples=["plugins/free_offices.py"])
    regions: list[str] = Field(examples=[["gers"]])
    hooks: list[str] = Field(examples=[["incentives_for_profile", "register_services"]])
    tables: list[str] = Field(default_factory=list, description="Names of its own tables",
                              examples=[["example_incentive_claim"]])
    status: str = Field(description="ok, or failing when a hook raised", examples=["ok"])
    failures: list[PluginFailureOut]
    settings_schema: dict[str, Any] | None = None


class Health(BaseModel):
    """Liveness and readiness of the instance."""

    status: str = Field(examples=["ok"])
    database: str = Field(examples=["ok"])
    regions: list[str] = Field(examples=[["gers", "orne"]])


class Readiness(BaseModel):
    """Whether the instance may take requests: database reachable, schema current."""

    status: str = Field(examples=["ready"], description="ready or not_ready")
    database: str = Field(examples=["ok"], description="ok or unreachable")
    schema_: str = Field(alias="schema", examples=["current"],
                         description="current, pending, unknown, or not read")
    detail: str = Field(examples=["the schema is current (revision 0010)"])


class ErrorOut(BaseModel):
    """An error answer."""

    detail: str = Field(examples=["Unknown region 'cantal'"])
