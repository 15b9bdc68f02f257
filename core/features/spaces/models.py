"""The tables of workspaces: spaces, and the desks booked in them (table names, columns
and indexes as they were in ``campagne.operations.models``)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlmodel import Field, SQLModel

from campagne.models import utc_now

#: Every day of the week (ISO weekdays, 1 = Monday); a space opens on the days it lists.
ALL_WEEK = "1234567"
WORKING_WEEK = "12345"


class Space(SQLModel, table=True):
    """An office or coworking space with broadband where members can book a desk."""

    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id", index=True)
    name: str = Field(max_length=200)
    address: str | None = Field(default=None, max_length=300)
    commune: str = Field(max_length=120)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    seats: int = Field(ge=1)
    broadband_mbps: int | None = Field(default=None, ge=0)
    opening_hours: str | None = Field(default=None, max_length=200)
    opening_days: str = Field(default=ALL_WEEK, max_length=7,
                              description="ISO weekdays it is open, 1 Monday to 7 Sunday")
    free_for_members: bool = True
    price_per_day_eur: float | None = Field(default=None, ge=0)
    price_illustrative: bool = Field(default=False,
                                     description="The price is an example, not a published one")
    active: bool = True
    version: int = Field(default=1)
    created_at: dt.datetime = Field(default_factory=utc_now)
    updated_at: dt.datetime = Field(default_factory=utc_now)

    def open_on(self, day: dt.date) -> bool:
        """Whether the space opens on ``day``'s weekday."""
        return str(day.isoweekday()) in self.opening_days


class BookingSlot(StrEnum):
    """A day or half a day."""

    DAY = "day"
    MORNING = "morning"
    AFTERNOON = "afternoon"


class Booking(SQLModel, table=True):
    """A desk booked in a space for a day or half a day. Personal data."""

    id: int | None = Field(default=None, primary_key=True)
    space_id: int = Field(foreign_key="space.id", index=True)
    day: dt.date = Field(index=True)
    slot: str = Field(max_length=10, description="One of BookingSlot")
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    guest_name: str | None = Field(default=None, max_length=200)
    booked_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    cancelled_at: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utc_now)
