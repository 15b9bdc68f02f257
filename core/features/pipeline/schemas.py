"""Shapes of the pipeline API. Bodies forbid unknown fields, so region, member link, source
or id can never be set through one (no mass assignment)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from campagne.api.bounds import Id, Page, Version
from campagne.config import localize
from campagne.features.pipeline.eligibility import EligibilityVerdict
from campagne.input_types import EMAIL_PATTERN, Flag, InputModel, IsoDate, not_nullable
from campagne.operations.models import Inquiry, Interaction

InteractionKindIn = Literal["call", "email", "meeting", "visit", "note"]
NOT_EMPTY = {"first_name", "last_name", "stage"}


class InquiryOut(BaseModel):
    """An inquiry's record, for its region's staff."""

    id: int
    region: str
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    origin_area: str | None
    origin_department: str | None
    activity: str | None
    sector: str | None
    status: str | None
    timing: str | None
    heard_from: str | None
    message: str | None
    answers: dict[str, Any]
    profile: dict[str, Any]
    source: str
    stage: str
    stage_label: str
    stage_changed_at: dt.datetime
    advisor_id: int | None
    advisor_email: str | None
    next_action_on: dt.date | None
    next_action: str | None
    member_id: int | None
    converted_at: dt.datetime | None
    settled_at: dt.datetime | None
    consent_purpose: str | None
    consent_given_at: dt.datetime | None
    last_contact_at: dt.date | None
    erased: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class TimelineEntryOut(BaseModel):
    """One entry of a person's history."""

    id: int
    kind: str
    at: dt.datetime
    summary: str
    author: str | None = Field(description="The staff account, or the plug-in, that wrote it")
    inquiry_id: int | None
    member_id: int | None
    detail: dict[str, Any]


class InquiryDetail(InquiryOut):
    """An inquiry with its eligibility verdict and its timeline."""

    eligibility: EligibilityVerdict
    timeline: list[TimelineEntryOut]


class InquiryPage(BaseModel):
    """One page of inquiries."""

    total: int
    page: int
    per_page: int
    items: list[InquiryOut]


class InquirySearch(InputModel):
    """Search criteria, sent in a body so that names and addresses never appear in a URL."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=200)
    stage: str | None = Field(default=None, max_length=40)
    advisor_id: Id | None = None
    unassigned: Flag = False
    due_by: IsoDate | None = None
    page: Page = 1
    per_page: int = Field(default=50, ge=1, le=200)


class InquiryUpdate(InputModel):
    """What staff may change on an inquiry (``version`` as last read)."""

    model_config = ConfigDict(extra="forbid",
                              json_schema_extra=not_nullable(*NOT_EMPTY))

    version: Version
    stage: str | None = Field(default=None, max_length=40)
    advisor_id: Id | None = None
    next_action_on: IsoDate | None = None
    next_action: str | None = Field(default=None, max_length=200)
    first_name: str | None = Field(default=None, min_length=1, max_length=100)
    last_name: str | None = Field(default=None, min_length=1, max_length=100)
    email: str | None = Field(default=None, max_length=200,
                              pattern=EMAIL_PATTERN)
    phone: str | None = Field(default=None, max_length=40)
    origin_area: str | None = Field(default=None, max_length=120)
    origin_department: str | None = Field(
        default=None, pattern=r"^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$")
    activity: str | None = Field(default=None, max_length=300)
    sector: str | None = Field(default=None, max_length=40)
    status: Literal["employee_teleworker", "independent", "founder"] | None = None
    timing: str | None = Field(default=None, max_length=40)

    @model_validator(mode="after")
    def _required_stay_set(self) -> InquiryUpdate:
        """Names and stage may be changed, not emptied."""
        for name in NOT_EMPTY & self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be empty")
        return self

    def values(self) -> dict[str, Any]:
        """The fields sent, without the version."""
        return self.model_dump(exclude_unset=True, exclude={"version"})


class InteractionIn(InputModel):
    """A call, e-mail, meeting, visit or note, with its day (today when not given)."""

    model_config = ConfigDict(extra="forbid")

    kind: InteractionKindIn
    summary: str = Field(min_length=1, max_length=2000)
    on: IsoDate | None = None


class ConvertIn(InputModel):
    """What the member needs that the inquiry may lack."""

    model_config = ConfigDict(extra="forbid")

    sector: str | None = Field(default=None, max_length=40)
    origin_country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")


class ConvertedOut(BaseModel):
    """The member an inquiry became."""

    inquiry_id: int
    member_id: int


def inquiry_out(inquiry: Inquiry, region_slug: str, stage_label: str,
                advisor_email: str | None) -> InquiryOut:
    """The API shape of an inquiry."""
    assert inquiry.id is not None
    return InquiryOut(
        id=inquiry.id, region=region_slug, first_name=inquiry.first_name,
        last_name=inquiry.last_name, email=inquiry.email, phone=inquiry.phone,
        origin_area=inquiry.origin_area, origin_department=inquiry.origin_department,
        activity=inquiry.activity, sector=inquiry.sector_slug, status=inquiry.status,
        timing=inquiry.timing, heard_from=inquiry.heard_from, message=inquiry.message,
        answers=dict(inquiry.answers or {}), profile=dict(inquiry.profile or {}),
        source=inquiry.source, stage=inquiry.stage, stage_label=stage_label,
        stage_changed_at=inquiry.stage_changed_at, advisor_id=inquiry.advisor_id,
        advisor_email=advisor_email, next_action_on=inquiry.next_action_on,
        next_action=inquiry.next_action, member_id=inquiry.member_id,
        converted_at=inquiry.converted_at, settled_at=inquiry.settled_at,
        consent_purpose=inquiry.consent_purpose, consent_given_at=inquiry.consent_given_at,
        last_contact_at=inquiry.last_contact_at, erased=inquiry.erased_at is not None,
        created_at=inquiry.created_at, updated_at=inquiry.updated_at, version=inquiry.version)


def entry_out(row: Interaction, authors: dict[int, str], locale: str) -> TimelineEntryOut:
    """The API shape of a timeline entry; a plug-in's note in ``locale``."""
    assert row.id is not None
    detail = dict(row.detail or {})
    summary = row.summary
    author = authors.get(row.author_id) if row.author_id is not None else None
    if isinstance(detail.get("summary"), dict):
        summary = localize(detail["summary"], locale)
    if isinstance(detail.get("author_label"), str):
        author = detail["author_label"]
    return TimelineEntryOut(id=row.id, kind=row.kind, at=row.at, summary=summary, author=author,
                            inquiry_id=row.inquiry_id, member_id=row.member_id, detail=detail)
