"""Shapes of meetups and sign-ups in the API. Bodies forbid unknown fields (no mass
assignment). Times without a zone are taken as Paris time; answers give Paris time."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from campagne.api.bounds import Id, Version
from campagne.features.meetups.views import MeetupSummary, SignUpRow
from campagne.input_types import EMAIL_PATTERN, Flag, InputModel, IsoDateTime, not_nullable

Title = Field(min_length=1, max_length=200)
#: An e-mail address, checked loosely (something@somewhere.tld); the message sent proves it.


class EventIn(InputModel):
    """A new meetup."""

    model_config = ConfigDict(extra="forbid")

    title: str = Title
    theme: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    starts_at: IsoDateTime
    ends_at: IsoDateTime
    place: str = Field(min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    capacity: int = Field(ge=1, le=10_000)


# Fields a meetup always has: a change may set them, never empty them.
EVENT_KEPT = ("title", "starts_at", "ends_at", "place", "capacity", "cancelled")


class EventPatch(InputModel):
    """A change to a meetup: the fields sent, and the ``version`` last read."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=not_nullable(*EVENT_KEPT))

    version: Version
    title: str | None = Field(default=None, min_length=1, max_length=200)
    theme: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    starts_at: IsoDateTime | None = None
    ends_at: IsoDateTime | None = None
    place: str | None = Field(default=None, min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    capacity: int | None = Field(default=None, ge=1, le=10_000)
    cancelled: Flag | None = Field(default=None,
                                                   description="true cancels, false reopens")

    @model_validator(mode="after")
    def _required_stay_set(self) -> EventPatch:
        for name in EVENT_KEPT:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class EventOut(BaseModel):
    """A meetup as anyone may see it: counts of places, never a person."""

    id: int
    region: str
    uid: str
    title: str
    theme: str | None
    description: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    address: str | None
    capacity: int
    places_left: int
    waiting: int
    status: Literal["open", "full", "closed", "cancelled"]
    cancelled_at: dt.datetime | None
    sequence: int
    version: int
    ics: str = Field(description="The meetup's iCalendar file")


def event_out(item: MeetupSummary, region_slug: str) -> EventOut:
    """The public shape of a meetup summary."""
    meetup = item.meetup
    assert meetup.id is not None
    status: Literal["open", "full", "closed", "cancelled"] = (
        "cancelled" if item.cancelled else "closed" if not item.open
        else "full" if item.places_left == 0 else "open")
    return EventOut(
        id=meetup.id, region=region_slug, uid=meetup.uid, title=meetup.title,
        theme=meetup.theme, description=meetup.description, starts_at=item.starts_local,
        ends_at=item.ends_local, place=meetup.place, address=meetup.address,
        capacity=meetup.capacity, places_left=item.places_left, waiting=item.waiting,
        status=status, cancelled_at=meetup.cancelled_at, sequence=meetup.sequence,
        version=meetup.version, ics=f"/{region_slug}/events/{meetup.id}.ics")


class RegistrationIn(InputModel):
    """A sign-up. Empty for a signed-in member signing themself up; ``guest_name`` and
    ``guest_email`` for a guest; staff of the region give ``member_id`` or the guest's
    name and address to sign someone up on their behalf."""

    model_config = ConfigDict(extra="forbid")

    member_id: Id | None = None
    guest_name: str | None = Field(default=None, min_length=1, max_length=200)
    guest_email: str | None = Field(default=None, max_length=200, pattern=EMAIL_PATTERN)

    @model_validator(mode="after")
    def _one_person(self) -> RegistrationIn:
        if self.member_id is not None and (self.guest_name or self.guest_email):
            raise ValueError("give member_id or guest_name and guest_email, not both")
        if (self.guest_name is None) != (self.guest_email is None):
            raise ValueError("guest_name and guest_email go together")
        return self


class RegistrationResult(BaseModel):
    """Where a sign-up stands."""

    id: int
    event_id: int
    status: Literal["confirmed", "waitlisted", "cancelled"]
    position: int | None = Field(description="Place on the waiting list (1 is next)")


class RegistrationOut(RegistrationResult):
    """A sign-up as the region's staff see it (personal data)."""

    member_id: int | None
    name: str
    email: str | None
    attended: bool | None
    created_at: dt.datetime
    promoted_at: dt.datetime | None
    cancelled_at: dt.datetime | None


def registration_out(row: SignUpRow) -> RegistrationOut:
    """The staff's shape of a sign-up."""
    registration = row.registration
    assert registration.id is not None
    return RegistrationOut(
        id=registration.id, event_id=registration.meetup_id,
        status=registration.status,
        position=row.position, member_id=registration.member_id, name=row.name,
        email=row.email, attended=registration.attended, created_at=registration.created_at,
        promoted_at=registration.promoted_at, cancelled_at=registration.cancelled_at)


class AttendanceMark(InputModel):
    """Whether one confirmed sign-up came (``null``: not known)."""

    model_config = ConfigDict(extra="forbid")

    registration_id: Id
    attended: Flag | None


class AttendanceIn(InputModel):
    """Attendance marks for a meetup."""

    model_config = ConfigDict(extra="forbid")

    marks: list[AttendanceMark] = Field(min_length=1, max_length=10_000)


class AttendanceOut(BaseModel):
    """The counts after marking (no names)."""

    confirmed: int
    attended: int
    absent: int
    unknown: int
    changed: list[int]
