"""The published form of a region's statistics, version 1.

The JSON Schema published at ``/api/v1/schemas/stats-v1.json`` is generated from
:class:`StatsV1`. Adding an optional field keeps version 1; removing or renaming one
makes version 2. Indicators the model cannot compute yet are present with
``available: false`` and a ``null`` value, so that filling them later is no break.
Readers ignore the indicators they do not know (``Indicators`` accepts unknown keys), and
indicators added within version 1 have defaults, so that a document of an older or a newer
instance still validates (docs/decisions/0014-follow-up-and-operations-statistics.md).

Every figure is bounded so that a reader can trust a valid document: counts are whole
numbers from 0 to :data:`MAX_COUNT`, measures are finite and not negative, a ``share`` is
from 0 to 1, a figure marked ``suppressed`` has no value, and texts and lists have a
maximum length. The conditions that span two fields are in the JSON Schema as ``if`` /
``then`` clauses, so that any JSON Schema validator refuses what this model refuses.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from campagne.config import SLUG_PATTERN

SCHEMA_VERSION: Literal["1"] = "1"
SCHEMA_PATH = "/api/v1/schemas/stats-v1.json"
#: The largest count: the largest integer every JSON reader keeps exactly (RFC 7493).
MAX_COUNT = 2**53 - 1
Name = Annotated[str, StringConstraints(max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=1000)]
Address = Annotated[str, StringConstraints(max_length=500)]
Unit = Annotated[str, StringConstraints(max_length=40)]


def _when(flag: str, const: object, then: dict[str, Any]) -> dict[str, Any]:
    """A JSON Schema ``if``/``then`` clause: when ``flag`` is ``const``, ``then`` applies."""
    return {"if": {"properties": {flag: {"const": const}}, "required": [flag]},
            "then": {"properties": then}}


SUPPRESSED_IS_NULL = _when("suppressed", True, {"value": {"type": "null"}})
SHARE_AT_MOST_ONE = _when("unit", "share", {"value": {"anyOf": [
    {"type": "number", "minimum": 0, "maximum": 1}, {"type": "null"}]}})
PEOPLE_NOT_NEGATIVE: dict[str, Any] = {  # ``counts_people`` is true unless it says false
    "if": {"properties": {"counts_people": {"const": False}}, "required": ["counts_people"]},
    "else": {"properties": {"value": {"anyOf": [{"type": "number", "minimum": 0},
                                                {"type": "null"}]}}}}


class Published(BaseModel):
    """Base of the published models: unknown keys are refused when validating, and
    numbers must be finite (no NaN, no infinity)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Figure(Published):
    """Base of the figures that may be withheld: a suppressed figure has no value."""

    @model_validator(mode="after")
    def _suppressed_has_no_value(self) -> Figure:
        if getattr(self, "suppressed", False) and getattr(self, "value", None) is not None:
            raise ValueError("a suppressed figure has no value (null)")
        return self


class Count(Figure):
    """A number of people (or ``null`` when suppressed or not available)."""

    model_config = ConfigDict(json_schema_extra={"allOf": [SUPPRESSED_IS_NULL]})

    value: int | None = Field(ge=0, le=MAX_COUNT,
                              description="Number of people; null when suppressed or unavailable")
    available: bool = Field(default=True, description="False when the model has no data for it yet")
    suppressed: bool = Field(default=False, description="True when withheld by disclosure control")


class Measure(Figure):
    """A measure that is not a count (a duration, a share, a rate): never negative."""

    model_config = ConfigDict(json_schema_extra={"allOf": [SUPPRESSED_IS_NULL,
                                                           SHARE_AT_MOST_ONE]})

    value: float | None = Field(ge=0, le=MAX_COUNT)
    unit: Unit = Field(description="'days', 'share' (0 to 1), 'per_100k_inhabitants'...")
    available: bool = True
    suppressed: bool = False

    @model_validator(mode="after")
    def _share_at_most_one(self) -> Measure:
        if self.unit == "share" and self.value is not None and self.value > 1:
            raise ValueError("a share is from 0 to 1")
        return self


class Cell(Figure):
    """One category of a table: its key and the number of people in it."""

    model_config = ConfigDict(json_schema_extra={"allOf": [SUPPRESSED_IS_NULL]})

    key: Name
    value: int | None = Field(ge=0, le=MAX_COUNT)
    suppressed: bool = False


class Table(Published):
    """People counted by category; ``total`` is the sum of every cell, suppressed or not."""

    total: int | None = Field(ge=0, le=MAX_COUNT,
                              description="Null when the table has no total or it is suppressed")
    cells: list[Cell] = Field(max_length=1000)


class Retention(Published):
    """Share of the members who arrived at least ``years`` before the end of the period and
    were still members ``years`` after their arrival."""

    model_config = ConfigDict(json_schema_extra={"allOf": [
        _when("suppressed", True, {"share": {"type": "null"}})]})

    years: int = Field(ge=1, le=3)
    share: float | None = Field(ge=0, le=1)
    suppressed: bool = False

    @model_validator(mode="after")
    def _suppressed_has_no_share(self) -> Retention:
        if self.suppressed and self.share is not None:
            raise ValueError("a suppressed share has no value (null)")
        return self


class ExtraIndicator(Figure):
    """An indicator given by a plug-in (hook ``extra_indicators``)."""

    model_config = ConfigDict(json_schema_extra={"allOf": [
        SUPPRESSED_IS_NULL, SHARE_AT_MOST_ONE,
        PEOPLE_NOT_NEGATIVE]})

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)
    label: dict[Annotated[str, StringConstraints(max_length=10)], Name] = Field(
        max_length=20, description="Per language, French required")
    value: float | int | None = Field(ge=-MAX_COUNT, le=MAX_COUNT)
    unit: Unit = "people"
    counts_people: bool = Field(
        default=True, description="A count of people goes through disclosure control")
    suppressed: bool = False
    plugin: Name = ""

    @model_validator(mode="after")
    def _bounded_by_unit(self) -> ExtraIndicator:
        if self.value is None:
            return self
        if self.counts_people and self.value < 0:
            raise ValueError("a count of people is not negative")
        if self.unit == "share" and not 0 <= self.value <= 1:
            raise ValueError("a share is from 0 to 1")
        return self


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
    retention: list[Retention] = Field(max_length=10)
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

    slug: str = Field(pattern=SLUG_PATTERN)
    code: Annotated[str, StringConstraints(max_length=20)]
    name: Name


class PeriodOut(Published):
    """The period covered: whole calendar days, both included."""

    start: dt.date | None = Field(description="Null: since the first record")
    end: dt.date


class Licence(Published):
    """The open licence the statistics are published under."""

    name: Name
    url: Address


class Disclosure(Published):
    """The disclosure rule applied."""

    threshold: int = Field(ge=1, le=MAX_COUNT)
    rule: LongText
    source: LongText


class Population(Published):
    """The population of the département, with its source (for per-capita rates)."""

    value: int = Field(ge=1, le=MAX_COUNT)
    source: LongText | None
    source_url: Address | None
    illustrative: bool


class StatsV1(Published):
    """A region's open statistics, version 1. Counts only: never a person."""

    schema_version: Literal["1"] = SCHEMA_VERSION
    schema_url: Address = SCHEMA_PATH
    region: RegionRef
    period: PeriodOut
    generated_at: dt.datetime
    licence: Licence
    disclosure: Disclosure
    population: Population | None
    indicators: Indicators
    extra: list[ExtraIndicator] = Field(default=[], max_length=100)


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
