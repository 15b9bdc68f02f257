"""The hub's tables, on their own metadata: they never mix with an instance's tables,
even in the same database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Index, MetaData, UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from campagne.models import utc_now

hub_metadata = MetaData()


class HubModel(SQLModel, registry=registry(metadata=hub_metadata)):
    """Base of the hub's tables."""


class HubInstance(HubModel, table=True):
    """A member instance and the outcome of its last harvest."""

    __tablename__ = "hub_instance"

    name: str = Field(primary_key=True, max_length=120)
    url: str = Field(max_length=300)
    last_attempt_at: dt.datetime | None = None
    last_success_at: dt.datetime | None = None
    last_outcome: str = Field(default="never", max_length=20,
                              description="ok, unreachable, invalid or never")
    last_error: str | None = Field(default=None, max_length=500)


class HubSnapshot(HubModel, table=True):
    """One region's statistics as received from an instance (validated, kept for trends)."""

    __tablename__ = "hub_snapshot"
    # Trends read the last snapshot of each day of each series from this index alone.
    __table_args__ = (Index("ix_hub_snapshot_series", "instance_name", "region_slug",
                            "harvested_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    instance_name: str = Field(foreign_key="hub_instance.name", max_length=120, index=True)
    region_slug: str = Field(max_length=40, index=True)
    harvested_at: dt.datetime = Field(default_factory=utc_now, index=True)
    etag: str | None = Field(default=None, max_length=200)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    figures: dict[str, Any] | None = Field(
        default=None, sa_type=JSON,
        description="The payload's scalar indicators, read once when harvested (for trends); "
                    "null for snapshots kept before: trends then read the payload")


class HubJobRun(HubModel, table=True):
    """One run of the hub's harvest job for one due time; the unique (job, slot) pair lets
    one process run it, whatever the number of hub processes (docs/decisions/0023)."""

    __tablename__ = "hub_job_run"
    __table_args__ = (UniqueConstraint("job", "slot", name="uq_hub_job_run_job_slot"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=120, index=True)
    slot: dt.datetime
    worker: str = Field(max_length=80)
    state: str = Field(default="running", max_length=10)
    started_at: dt.datetime = Field(default_factory=utc_now, index=True)
    finished_at: dt.datetime | None = None
    outcome: str | None = Field(default=None, max_length=500)
