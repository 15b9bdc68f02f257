"""The follow-up's table: the steps of a member's professional project (the services
delivered are the core's ``ServiceUse``)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from campagne.models import utc_now


class MilestoneKind(StrEnum):
    """Steps of a member's professional project."""

    BUSINESS_PLAN = "business_plan"
    FINANCING = "financing"
    WORKSPACE_FOUND = "workspace_found"
    BUSINESS_REGISTERED = "business_registered"


class Milestone(SQLModel, table=True):
    """A step of a member's professional project, reached on a day with an advisor."""

    __table_args__ = (UniqueConstraint("member_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    kind: str = Field(max_length=40, description="One of MilestoneKind")
    reached_on: dt.date
    advisor_id: int | None = Field(default=None, foreign_key="user_account.id")
    note: str | None = Field(default=None, max_length=500)
    created_at: dt.datetime = Field(default_factory=utc_now)
