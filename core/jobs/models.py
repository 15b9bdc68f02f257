"""The record of each run of a scheduled job; its unique (job, slot) pair is what keeps two
workers from running the same job for the same due time."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from campagne.models import utc_now


class RunState(StrEnum):
    """How a run of a job went."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JobRun(SQLModel, table=True):
    """One run of a job for one due time (``slot``), by one worker."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "slot", name="uq_job_run_job_slot"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=120, index=True, description="e.g. campagne.platform.purge")
    slot: dt.datetime = Field(description="The due time this run is for (UTC)")
    worker: str = Field(max_length=80, description="Host, process and a random part")
    state: str = Field(default=RunState.RUNNING.value, max_length=10,
                       description="One of RunState")
    started_at: dt.datetime = Field(default_factory=utc_now, index=True)
    finished_at: dt.datetime | None = None
    outcome: str | None = Field(default=None, max_length=500,
                                description="What the job reported, or why it failed")
