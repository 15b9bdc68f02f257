"""Shapes of a member's follow-up in the API: the milestones of the professional project and
the services delivered. Bodies forbid unknown fields (no mass assignment)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator

from campagne.api.bounds import Id
from campagne.features.followup.models import MilestoneKind
from campagne.input_types import InputModel, IsoDate

NOTE_LENGTH = 500


def _not_in_future(day: dt.date | None) -> dt.date | None:
    if day is not None and day > dt.date.today():
        raise ValueError("the date is in the future")
    return day


class MilestoneIn(InputModel):
    """A milestone reached. Without ``advisor_id`` the advisor is the staff member recording
    it; ``null`` records none."""

    model_config = ConfigDict(extra="forbid")

    kind: MilestoneKind
    reached_on: IsoDate
    advisor_id: Id | None = Field(default=None, description="A staff account of the region")
    note: str | None = Field(default=None, max_length=NOTE_LENGTH)

    check_reached_on = field_validator("reached_on")(_not_in_future)


class MilestoneChange(InputModel):
    """A correction of a milestone: only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    kind: MilestoneKind | None = None
    reached_on: IsoDate | None = None
    advisor_id: Id | None = None
    note: str | None = Field(default=None, max_length=NOTE_LENGTH)

    check_reached_on = field_validator("reached_on")(_not_in_future)


class MilestoneOut(BaseModel):
    """A milestone as recorded."""

    id: int
    kind: str
    reached_on: dt.date
    advisor_id: int | None
    advisor: str | None = Field(description="The advisor's e-mail address")
    note: str | None


class ServiceUseIn(InputModel):
    """A service of the region's catalogue delivered to the member on a day."""

    model_config = ConfigDict(extra="forbid")

    service: str = Field(max_length=40, description="The slug of a service of the region")
    used_on: IsoDate
    advisor_id: Id | None = Field(default=None, description="A staff account of the region")

    check_used_on = field_validator("used_on")(_not_in_future)


class ServiceUseOut(BaseModel):
    """A service delivered."""

    id: int
    service: str
    category: str
    name: dict[str, str]
    used_on: dt.date
    advisor_id: int | None
    advisor: str | None = Field(description="The advisor's e-mail address, or the name "
                                            "recorded with older entries")


class FollowUpOut(BaseModel):
    """The follow-up of a member's professional project."""

    member_id: int
    region: str
    milestones: list[MilestoneOut]
    services: list[ServiceUseOut]
