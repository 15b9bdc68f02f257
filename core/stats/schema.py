"""The published form of a region's statistics, version 1.

The JSON Schema published at ``/api/v1/schemas/stats-v1.json`` is generated from
:class:`StatsV1`. Adding an optional field keeps version 1; removing or renaming one
makes version 2. Indicators the model cannot compute yet are present with
``available: false`` and a ``null`` value, so that filling them later is no break.
Readers ignore the indicators they do not know (``Indicators`` accepts unknown keys), and
indicators added within version 1 have defaults, so that a document of an older or a newer
instance still validates (docs/decisions/0014-follow-up-and-operations-statistics.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION: Literal["1"] = "1"
SCHEMA_PATH = "/api/v1/schemas/stats-v1.json"


class Published(BaseModel):
    """Base of the published models: unknown keys are refused when validating."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Count(Published):
    """A number of people (or ``null`` when suppressed or not available)."""

    value: int | None = Field(description="Number of people; null when suppressed or unavailable")
    available: bool = Field(default=True, description="False when the model has no data for it yet")
    suppressed: bool = Field(default=False, description="True when withheld by disclosure control")


class Measure(Published):
    """A measure that is not a count (a duration, a share, a rate)."""

    value: float | None
    unit: str = Field(description="'days', 'share' (0 to 1), 'per_100k_inhabitants'...")
    available: bool = True
    suppressed: bool = False


class Cell(Published):
    """One category of a table: its key and the number of people in it."""

    key: str
    value: int | None
    suppressed: bool = False


class Table(Published):
    """People counted by category; ``total`` is the sum of every cell, suppressed or not."""

    total: int | None = Field(description="Null when the table has no total or it is suppressed")
    cells: list[Cell]


class Retention(Published):
    """Share of the members who arrived at least ``years`` before the end of the period and
    were still members ``years`` after their arrival."""

    years: int = Field(ge=1, le=3)
    share: float | None = Field(ge=0, le=1)
    suppressed: bool = False


class ExtraIndicator(Published):
    """An indicator given by a plug-in (hook ``extra_indicators``)."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: dict[str, str] = Field(description="Per language, French required")
    value: float | int | None
    unit: str = "people"
    counts_people: bool = Field(
        default=True, description="A count of people goes through disclosure control")
    suppressed: bool = False
    plugin: str = ""


class Indicators(Published):
    """Every indicator of the schema. Unknown keys are ignored, not refused: an indicator
    added later within version 1 does not make a document invalid for an older reader."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    members_total: Count
    members_per_100k_inhabitants: Measure
    arrivals_by_year: Table
    members_by_sector: Table
    members_by_origin: Table
    services_used: Table
    meetup_attendance: Count
    retention: list[Retention]
    inquiries_received: Count
    inquiries_converted: Count
    median_days_inquiry_to_settlement: Measure
    desk_occupancy: Measure
    # Added within version 1 (0.1.0): documents without them still validate.
    meetups_held: Measure = Field(
        default=Measure(value=None, unit="meetups", available=False),
        description="Meetups held in the period (not cancelled, started)")
    meetup_attendance_rate: Measure = Field(
        default=Measure(value=None, unit="share", available=False),
        description="Share of the expected sign-ups who attended, at meetups whose "
                    "attendance was taken")
    milestones_reached: Table = Field(
        default=Table(total=None, cells=[]),
        description="Members who reached each milestone of their professional project")


class RegionRef(Published):
    """Which region the statistics are about."""

    slug: str
    code: str
    name: str


class PeriodOut(Published):
    """The period covered: whole calendar days, both included."""

    start: dt.date | None = Field(description="Null: since the first record")
    end: dt.date


class Licence(Published):
    """The open licence the statistics are published under."""

    name: str
    url: str


class Disclosure(Published):
    """The disclosure rule applied."""

    threshold: int = Field(ge=1)
    rule: str
    source: str


class Population(Published):
    """The population of the département, with its source (for per-capita rates)."""

    value: int
    source: str | None
    source_url: str | None
    illustrative: bool


class StatsV1(Published):
    """A region's open statistics, version 1. Counts only: never a person."""

    schema_version: Literal["1"] = SCHEMA_VERSION
    schema_url: str = SCHEMA_PATH
    region: RegionRef
    period: PeriodOut
    generated_at: dt.datetime
    licence: Licence
    disclosure: Disclosure
    population: Population | None
    indicators: Indicators
    extra: list[ExtraIndicator] = []


class NetworkComparison(Published):
    """Several regions' statistics side by side (``/api/v1/network/compare``)."""

    generated_at: dt.datetime
    regions: list[str] = Field(description="Slugs, in the order of ``stats``")
    stats: list[StatsV1]


def json_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`StatsV1` (draft 2020-12), with its stable identifier."""
    schema = StatsV1.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_PATH
    schema["title"] = "Campagne open statistics, version 1"
    return schema
