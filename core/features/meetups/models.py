"""The meetups' tables: meetups and their sign-ups (table names unchanged since 0003)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from campagne.models import utc_now


class Meetup(SQLModel, table=True):
    """A monthly thematic meetup (or any event) of a region. Public, except its sign-ups."""

    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id", index=True)
    uid: str = Field(max_length=80, unique=True, description="Stable iCalendar UID")
    title: str = Field(max_length=200)
    theme: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, sa_type=Text)
    starts_at: dt.datetime = Field(index=True)
    ends_at: dt.datetime
    place: str = Field(max_length=200)
    address: str | None = Field(default=None, max_length=300)
    capacity: int = Field(ge=1)
    cancelled_at: dt.datetime | None = None
    sequence: int = Field(default=0, description="iCalendar SEQUENCE, raised at each change")
    version: int = Field(default=1)
    created_at: dt.datetime = Field(default_factory=utc_now)
    updated_at: dt.datetime = Field(default_factory=utc_now)


class RegistrationStatus(StrEnum):
    """Where a sign-up stands."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Registration(SQLModel, table=True):
    """A sign-up to a meetup, by a member or a guest. Personal data."""

    id: int | None = Field(default=None, primary_key=True)
    meetup_id: int = Field(foreign_key="meetup.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    guest_name: str | None = Field(default=None, max_length=200)
    guest_email: str | None = Field(default=None, max_length=200)
    status: str = Field(max_length=20, index=True, description="One of RegistrationStatus")
    registered_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    attended: bool | None = None
    created_at: dt.datetime = Field(default_factory=utc_now, index=True)
    promoted_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None
