"""The tables of day-to-day operations. Every row belongs to one region (directly or through
its parent) and every personal field is staff-only, region-scoped and audited."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Text
from sqlmodel import Field, SQLModel

from campagne.models import utc_now
from campagne.uniqueness import IMPORTED_INQUIRY_EMAIL


class InquirySource(StrEnum):
    """How an inquiry reached the programme."""

    FORM = "form"
    API = "api"
    STAFF = "staff"
    IMPORT = "import"


class Inquiry(SQLModel, table=True):
    """Someone thinking of moving who contacted a region's programme. Personal data."""

    __table_args__ = (IMPORTED_INQUIRY_EMAIL.index(),)  # an import never adds a person twice

    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id", index=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str | None = Field(default=None, max_length=200, index=True)
    phone: str | None = Field(default=None, max_length=40)
    origin_area: str | None = Field(default=None, max_length=120,
                                    description="Where they live now (French region or country)")
    origin_department: str | None = Field(default=None, max_length=3)
    activity: str | None = Field(default=None, max_length=300, description="What they do")
    sector_slug: str | None = Field(default=None, foreign_key="sector.slug", max_length=40)
    status: str | None = Field(default=None, max_length=30,
                               description="employee_teleworker, independent or founder")
    timing: str | None = Field(default=None, max_length=40, description="When they plan to move")
    heard_from: str | None = Field(default=None, max_length=120)
    message: str | None = Field(default=None, sa_type=Text)
    answers: dict[str, Any] = Field(default_factory=dict, sa_type=JSON,
                                    description="Answers to the region's extra form fields")
    profile: dict[str, Any] = Field(default_factory=dict, sa_type=JSON,
                                    description="Simulator profile sent with the inquiry")
    source: str = Field(default=InquirySource.FORM.value, max_length=20)
    stage: str = Field(default="new", max_length=40, index=True,
                       description="A stage key of the region's pipeline")
    stage_changed_at: dt.datetime = Field(default_factory=utc_now)
    advisor_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    next_action_on: dt.date | None = Field(default=None, index=True)
    next_action: str | None = Field(default=None, max_length=200)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True,
                                  description="The member this inquiry became")
    converted_at: dt.datetime | None = None
    settled_at: dt.datetime | None = Field(default=None,
                                           description="When it reached a settled stage")
    consent_purpose: str | None = Field(default=None, max_length=300)
    consent_given_at: dt.datetime | None = None
    last_contact_at: dt.date | None = Field(
        default=None, description="Last contact the person initiated (retention of prospects)")
    erased_at: dt.datetime | None = None
    synthetic: bool = Field(default=False, description="Generated demo data, not a real person")
    version: int = Field(default=1, description="Incremented at each change (edit conflicts)")
    created_at: dt.datetime = Field(default_factory=utc_now, index=True)
    updated_at: dt.datetime = Field(default_factory=utc_now)


class InteractionKind(StrEnum):
    """What happened in a timeline entry."""

    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    VISIT = "visit"
    NOTE = "note"
    STAGE = "stage"
    CONVERSION = "conversion"


class Interaction(SQLModel, table=True):
    """One entry of a person's timeline. Kept when an inquiry becomes a member: the member's
    history is every interaction of its inquiries and of itself."""

    id: int | None = Field(default=None, primary_key=True)
    inquiry_id: int | None = Field(default=None, foreign_key="inquiry.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    kind: str = Field(max_length=20, description="One of InteractionKind")
    at: dt.datetime = Field(default_factory=utc_now, index=True)
    author_id: int | None = Field(default=None, foreign_key="user_account.id")
    summary: str = Field(default="", sa_type=Text)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


