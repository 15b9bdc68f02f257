"""The database tables. Configuration (``region.yaml``) is the source of truth for
regions, programmes and services; it is copied here at start-up so that members
and what they used can refer to it."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from campagne.uniqueness import MEMBER_EMAIL, MEMBER_SIRET


def utc_now() -> dt.datetime:
    """The current time, with its zone (UTC)."""
    return dt.datetime.now(dt.UTC)


def iso_or_none(value: dt.date | dt.datetime | None) -> str | None:
    """``value`` in ISO 8601, for JSON (``None`` stays ``None``)."""
    return value.isoformat() if value is not None else None


class Region(SQLModel, table=True):
    """A département served by this instance."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=40, unique=True, index=True)
    code: str = Field(max_length=3)
    name: str = Field(max_length=120)


class Programme(SQLModel, table=True):
    """The programme a region runs (one per region)."""

    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id", unique=True)
    name: str = Field(max_length=200)
    operator: str = Field(max_length=200)
    launch_year: int | None = None
    audience: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    description: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    contact_email: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=40)
    website: str | None = Field(default=None, max_length=300)


class Service(SQLModel, table=True):
    """A service a region offers, from its configuration or from a plug-in."""

    __table_args__ = (UniqueConstraint("region_id", "slug"),)

    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id", index=True)
    slug: str = Field(max_length=40)
    category: str = Field(max_length=40, index=True)
    name: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    description: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    delivered_by: str = Field(max_length=200)
    is_free: bool = True
    price_amount: float | None = None
    price: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    eligibility: dict[str, str] | None = Field(default=None, sa_type=JSON)
    plugin: str | None = Field(default=None, max_length=120)
    active: bool = True


class Sector(SQLModel, table=True):
    """A group of activities mapped to NAF rév. 2 codes."""

    slug: str = Field(primary_key=True, max_length=40)
    label: str = Field(max_length=200)
    naf_codes: str = Field(default="", max_length=400)


class MemberStatus(StrEnum):
    """Where a member stands in the programme."""

    SETTLING = "settling"
    SETTLED = "settled"
    LEFT = "left"
    PROSPECT = "prospect"
    DECLINED = "declined"


class Member(SQLModel, table=True):
    """A person who joined a region's programme. Personal data: never shown in aggregates."""

    # The region's home counts the current members by sector on every view
    # (campagne.queries.FIGURES_OF_REGION): this index covers that query.
    # Staff lists: pages newest first, search by commune (migration 0013, which also adds
    # the optional trigram index of the search by name on PostgreSQL).
    # Staff lists, newest first: by region, by status and by sector (migration 0013).
    __table_args__ = (Index("ix_member_region_id_id", "region_id", "id"),
                      Index("ix_member_region_status_id", "region_id", "status", "id"),
                      Index("ix_member_region_sector_id", "region_id", "sector_slug", "id"),
                      Index("ix_member_region_commune", "region_id", text("lower(commune)"), "id"),
                      Index("ix_member_figures", "region_id", "sector_slug", "status",
                            "synthetic"),
                      MEMBER_EMAIL.index(), MEMBER_SIRET.index())  # one record per person

    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id", index=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str | None = Field(default=None, max_length=200, index=True)
    phone: str | None = Field(default=None, max_length=40)
    business_name: str | None = Field(default=None, max_length=200)
    siret: str | None = Field(default=None, max_length=14, index=True)
    naf_code: str | None = Field(default=None, max_length=6)
    sector_slug: str = Field(foreign_key="sector.slug", max_length=40, index=True)
    commune: str | None = Field(default=None, max_length=120)
    origin_area: str | None = Field(default=None, max_length=120,
                                    description="French region or country they came from")
    origin_country: str = Field(default="FR", max_length=2)
    arrival_date: dt.date | None = None
    left_on: dt.date | None = None
    status: str = Field(default=MemberStatus.SETTLING.value, max_length=20, index=True,
                        description="One of MemberStatus")
    consent_purpose: str | None = Field(default=None, max_length=300)
    consent_given_at: dt.datetime | None = None
    synthetic: bool = Field(default=False, description="Generated demo data, not a real person")
    last_contact_at: dt.date | None = Field(
        default=None, description="Last contact the person initiated (retention of prospects)")
    erased_at: dt.datetime | None = Field(
        default=None, description="When the record was anonymised (erasure request)")
    version: int = Field(default=1, description="Incremented at each change (edit conflicts)")
    created_at: dt.datetime = Field(default_factory=utc_now)
    updated_at: dt.datetime = Field(default_factory=utc_now)


class ServiceUse(SQLModel, table=True):
    """A service delivered to a member."""

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    service_id: int = Field(foreign_key="service.id", index=True)
    used_on: dt.date
    advisor: str | None = Field(default=None, max_length=120,
                                description="Free-text name (imported or demo records)")
    advisor_id: int | None = Field(default=None, foreign_key="user_account.id",
                                   description="The staff account who delivered it")


class Consent(SQLModel, table=True):
    """A consent a person gave, with its purpose and date (GDPR art. 7)."""

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    purpose: str = Field(max_length=40, description="e.g. 'programme', 'keep_application'")
    given_at: dt.datetime = Field(default_factory=utc_now)
    withdrawn_at: dt.datetime | None = None
