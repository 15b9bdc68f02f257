"""Shapes of spaces and desk bookings in the API. Input bodies forbid unknown fields (no
region, id or version set through a body); public shapes carry counts, never a person."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from campagne.api.bounds import Id, Version
from campagne.features.spaces.models import ALL_WEEK, WORKING_WEEK, BookingSlot
from campagne.input_types import Flag, InputModel, IsoDate, not_nullable

#: Opening days: ISO weekday digits in order, each once (``12345``: Monday to Friday).
OPENING_DAYS = r"^1?2?3?4?5?6?7?$"
DAYS_HELP = "ISO weekdays it opens, in order (1 Monday ... 7 Sunday): 12345 is Monday to Friday"


class SpaceFields(InputModel):
    """What staff describe about a space."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, examples=["Télécentre de Fleurance"])
    address: str | None = Field(default=None, max_length=300)
    commune: str = Field(min_length=1, max_length=120, examples=["Fleurance"])
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    seats: int = Field(ge=1, le=1000, description="Desks that can be booked at once")
    broadband_mbps: int | None = Field(default=None, ge=0, le=100_000,
                                       description="Connection speed, Mbit/s")
    opening_hours: str | None = Field(default=None, max_length=200,
                                      examples=["lun.-ven. 8 h 30 - 18 h"])
    opening_days: str = Field(default=ALL_WEEK, min_length=1, max_length=7,
                              pattern=OPENING_DAYS, examples=[WORKING_WEEK],
                              description=DAYS_HELP)
    free_for_members: Flag = True
    price_per_day_eur: float | None = Field(default=None, ge=0, le=10_000)
    price_illustrative: Flag = Field(
        default=False, description="The price is an example, not a published one")


# Fields a space always has: a change may set them, never empty them.
SPACE_KEPT = ("name", "commune", "seats", "opening_days", "free_for_members",
              "price_illustrative", "active")


class SpaceUpdate(InputModel):
    """A change: the fields sent, and the ``version`` last read (else 409)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=not_nullable(*SPACE_KEPT))

    version: Version
    name: str | None = Field(default=None, min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    commune: str | None = Field(default=None, min_length=1, max_length=120)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    seats: int | None = Field(default=None, ge=1, le=1000)
    broadband_mbps: int | None = Field(default=None, ge=0, le=100_000)
    opening_hours: str | None = Field(default=None, max_length=200)
    opening_days: str | None = Field(default=None, min_length=1, max_length=7,
                                     pattern=OPENING_DAYS, description=DAYS_HELP)
    free_for_members: Flag | None = None
    price_per_day_eur: float | None = Field(default=None, ge=0, le=10_000)
    price_illustrative: Flag | None = None
    active: Flag | None = Field(default=None, description="false closes it to bookings")

    @model_validator(mode="after")
    def _required_stay_set(self) -> SpaceUpdate:
        for name in SPACE_KEPT:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be emptied")
        return self


class SpaceOut(BaseModel):
    """A space as the public sees it."""

    id: int
    region: str
    name: str
    address: str | None
    commune: str
    latitude: float | None
    longitude: float | None
    seats: int
    broadband_mbps: int | None
    opening_hours: str | None
    opening_days: str = Field(description=DAYS_HELP)
    free_for_members: bool
    price_per_day_eur: float | None
    price_illustrative: bool
    active: bool
    version: int


class DayLeftOut(BaseModel):
    """Seats left on a day, per half day."""

    day: dt.date
    morning: int
    afternoon: int


class SpaceDetail(SpaceOut):
    """A space with its seats left for the coming days (empty when closed)."""

    availability: list[DayLeftOut]


class BookingIn(InputModel):
    """A desk to book. Members book for themselves; region staff name a member of the
    region (``member_id``) or a guest (``guest_name``)."""

    model_config = ConfigDict(extra="forbid")

    day: IsoDate
    slot: BookingSlot = Field(description="day, morning or afternoon")
    member_id: Id | None = None
    guest_name: str | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _one_person_at_most(self) -> BookingIn:
        if self.member_id is not None and self.guest_name:
            raise ValueError("give member_id or guest_name, not both")
        return self


class BookingOut(BaseModel):
    """A booking as its member sees it."""

    id: int
    region: str
    space_id: int
    space_name: str
    commune: str
    day: dt.date
    slot: str
    status: str = Field(description="confirmed or cancelled")
    cancelled_at: dt.datetime | None
    created_at: dt.datetime


class StaffBookingOut(BookingOut):
    """A booking as the region's staff see it (personal data: reads are audited)."""

    member_id: int | None
    person: str = Field(description="The member's name or the guest's")
    guest: bool
