"""The values exchanged with plug-ins. All are immutable: a plug-in cannot change
what another plug-in, or the core, will see."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from starlette.routing import BaseRoute

from campagne.config import LocalizedText, RegionConfig, ServiceConfig, Source
from campagne.input_types import InputModel
from campagne.taxonomy import SECTORS_BY_SLUG

#: A service a plug-in adds to a region; the same shape as a service in ``region.yaml``.
ServiceSpec = ServiceConfig


class Frozen(BaseModel):
    """Base of the exchanged values: unknown fields are errors, instances are read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class RegionInfo(Frozen):
    """What a hook knows of the region it is called for."""

    slug: str
    code: str
    name: str
    config: RegionConfig


#: The value of a plug-in's profile field: text (``text``, ``choice``, ``commune``: an
#: INSEE commune code), a whole number (``integer``), a decimal or yes/no (``boolean``).
ProfileValue = bool | int | float | str
ProfileFieldKind = Literal["text", "integer", "decimal", "boolean", "choice", "commune"]
#: An INSEE commune code: two digits (or 2A, 2B) for the département and three more.
COMMUNE_CODE = r"^(?:[0-9]{2}|2A|2B)[0-9]{3}$"
FIELD_KEY = r"^[a-z][a-z0-9_]{0,39}$"


class ProfileOption(Frozen):
    """One value a ``choice`` or ``commune`` field offers, with its label."""

    value: str = Field(min_length=1, max_length=60)
    label: LocalizedText


class ProfileField(Frozen):
    """A question a plug-in adds to the move simulator's profile (hook ``profile_fields``).

    The value reaches ``incentives_for_profile`` as ``profile.extra[key]`` (absent when
    the candidate gave none), already checked against what is declared here.
    """

    key: str = Field(pattern=FIELD_KEY, description="Name of the field in the form, the "
                     "API's profile and profile.extra; unique among the region's plug-ins")
    kind: ProfileFieldKind
    label: LocalizedText
    help: LocalizedText | None = Field(default=None, description="A sentence under the field")
    required: bool = False
    minimum: float | None = Field(default=None, description="integer and decimal fields")
    maximum: float | None = Field(default=None, description="integer and decimal fields")
    pattern: str | None = Field(default=None, description="A regular expression a text "
                                "value must match whole")
    max_length: int = Field(default=200, ge=1, le=2000, description="text fields")
    options: tuple[ProfileOption, ...] = Field(
        default=(), description="The values offered: required for choice, optional for "
        "commune (without, any INSEE commune code is taken)")

    @model_validator(mode="after")
    def _consistent(self) -> ProfileField:
        if self.key in CORE_PROFILE_FIELDS or self.key == "extra":
            raise ValueError(f"profile field '{self.key}' is a field of the core's profile")
        if self.kind == "choice" and not self.options:
            raise ValueError("a choice field needs options")
        if self.options and self.kind not in ("choice", "commune"):
            raise ValueError("only choice and commune fields take options")
        if self.kind == "commune":
            wrong = [o.value for o in self.options if not re.fullmatch(COMMUNE_CODE, o.value)]
            if wrong:
                raise ValueError(f"not INSEE commune codes: {', '.join(wrong)}")
        if (self.minimum is not None or self.maximum is not None) and self.kind not in (
                "integer", "decimal"):
            raise ValueError("only integer and decimal fields take a minimum or maximum")
        if self.pattern is not None:
            if self.kind != "text":
                raise ValueError("only text fields take a pattern")
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"pattern is not a regular expression: {exc}") from None
        return self

    def option_label(self, value: ProfileValue) -> LocalizedText | None:
        """The label of ``value`` among the options, if it is one."""
        return next((o.label for o in self.options if o.value == value), None)


class CoreProfile(Frozen, InputModel):
    """The core's own questions of a candidate profile (the fields every region asks)."""

    origin_department: str | None = Field(
        default=None, description="INSEE code, e.g. '75'",
        pattern=r"^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$")
    household_size: int = Field(default=1, ge=1, le=12)
    status: Literal["employee_teleworker", "independent", "founder"] = "independent"
    sector: str | None = Field(default=None, description="A sector slug of campagne.taxonomy",
                               json_schema_extra={"enum": [*sorted(SECTORS_BY_SLUG), None]})
    commute_minutes_one_way: float = Field(default=0, ge=0, le=300)
    commute_km_one_way: float = Field(default=0, ge=0, le=500)
    commute_mode: Literal["car", "public_transport", "bike", "walk"] = "public_transport"
    commute_days_per_week: int = Field(default=5, ge=0, le=7)
    housing_budget_eur: float | None = Field(default=None, ge=0)
    housing_kind: Literal["buy", "rent"] = Field(
        default="buy", description="The budget is a purchase price (buy) or a monthly rent")

    @field_validator("sector")
    @classmethod
    def _known_sector(cls, sector: str | None) -> str | None:
        if sector is not None and sector not in SECTORS_BY_SLUG:
            raise ValueError(f"unknown sector '{sector}'; known: "
                             f"{', '.join(sorted(SECTORS_BY_SLUG))}")
        return sector


class CandidateProfile(CoreProfile):
    """A person considering a move, as described by themself; never stored."""

    extra: dict[str, ProfileValue] = Field(
        default_factory=dict,
        description="Values of the fields the region's plug-ins declare (hook "
                    "profile_fields), by key, already checked; a field not answered is "
                    "absent")


#: The core's own fields of the profile; a plug-in's field may not take one of these keys.
CORE_PROFILE_FIELDS = tuple(CoreProfile.model_fields)


class Incentive(Frozen):
    """What one plug-in offers a candidate profile, and why."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title: LocalizedText
    eligible: bool
    reasons: tuple[LocalizedText, ...] = ()
    yearly_value_eur: float | None = Field(default=None, ge=0)
    source: Source | None = None
    illustrative: bool = False
    assumptions: tuple[LocalizedText, ...] = ()
    category: str | None = Field(default=None, description="commute, housing, workspace...")
    sources: tuple[Source, ...] = Field(default=(), description="Further sources of the figures")
    yearly_hours_saved: float | None = Field(default=None, ge=0)
    yearly_co2_kg_saved: float | None = Field(default=None, ge=0)


class MemberEvent(Frozen):
    """Something that happened to a member; carries no name, address or contact."""

    kind: Literal["joined", "settled", "left", "service_used", "erased"]
    region_slug: str
    member_id: int
    sector: str | None = Field(default=None, description="A sector slug of campagne.taxonomy",
                               json_schema_extra={"enum": [*sorted(SECTORS_BY_SLUG), None]})
    service_slug: str | None = None
    occurred_at: dt.datetime


class InquiryEvent(Frozen):
    """Something that happened to an inquiry; carries no name nor contact. Built by
    :func:`campagne.features.inquiries.events.inquiry_event`."""

    kind: Literal["received", "stage_changed", "converted"]
    region_slug: str
    inquiry_id: int
    member_id: int | None = Field(default=None, description="The member it became, if any")
    stage: str
    previous_stage: str | None = Field(default=None, description="Before a stage change")
    source: str = Field(description="form, api, staff or import")
    sector: str | None = Field(default=None, description="A sector slug of campagne.taxonomy",
                               json_schema_extra={"enum": [*sorted(SECTORS_BY_SLUG), None]})
    status: str | None = Field(default=None,
                               description="employee_teleworker, independent or founder")
    origin_department: str | None = Field(default=None, description="INSEE code")
    timing: str | None = Field(default=None, description="When the person plans to move")
    occurred_at: dt.datetime
    consents: tuple[str, ...] = Field(
        default=(), description="Keys of the consent questions (hook consent_questions) the "
                                "person ticked; empty for other kinds")


class ConsentQuestion(Frozen):
    """A box a plug-in adds to a region's inquiry form (hook ``consent_questions``), shown
    unticked; the keys of the boxes ticked reach ``on_inquiry_received`` in
    ``InquiryEvent.consents``. ``label`` is in the language the hook was asked for."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    label: str = Field(min_length=1, max_length=300)


class EventRegistration(Frozen):
    """What happened to a sign-up to a meetup; carries no name nor e-mail address.

    ``status`` is ``confirmed`` (a place was taken), ``waitlisted`` (put on the waiting
    list), ``cancelled`` (the sign-up was withdrawn) or ``promoted`` (moved from the
    waiting list to a place). ``member_id`` is ``None`` for a guest.
    """

    meetup_id: int
    registration_id: int
    member_id: int | None = None
    status: Literal["confirmed", "waitlisted", "cancelled", "promoted"]
    occurred_at: dt.datetime
# --- pipeline -------------------------------------------------------------------------------


class StageChange(Frozen):
    """An inquiry moved from one stage of the pipeline to another; carries no name nor
    contact: the inquiry's id, the stages' keys and the member id once converted."""

    region_slug: str
    inquiry_id: int
    previous_stage: str
    new_stage: str
    settled: bool = Field(default=False, description="The new stage is the settled one")
    closed: bool = Field(default=False, description="The new stage ends the inquiry")
    member_id: int | None = Field(default=None, description="The member it became, if any")
    occurred_at: dt.datetime


class TimelineNote(Frozen):
    """A note a plug-in asks the core to add to a person's timeline (kind ``note``, with the
    plug-in's name as its author). The only way an event hook writes anything."""

    summary: LocalizedText
    detail: LocalizedText | None = None
    related_member_id: int | None = Field(
        default=None, description="A member of the same region the note refers to (for "
                                  "example a volunteer); staff pages link to their record")


# --- the platform: routes, menus, features ---------------------------------------------------


class PlaceLink(Frozen):
    """A place where a service is delivered, as a link on the service's page (hook
    ``delivery_places``): ``label`` names it (a space, a village), ``path`` is its page
    relative to the region's root (``espaces/12``), ``detail`` says where it is (a
    commune). In the language the hook was asked for."""

    label: str = Field(min_length=1, max_length=200)
    path: str = Field(pattern=r"^[a-z0-9][A-Za-z0-9_./?=&-]*$", max_length=200)
    detail: str = Field(default="", max_length=200)


class MenuEntry(Frozen):
    """A link a plug-in adds to a region's main menu.

    ``path`` is relative to the region's root (``espaces`` for ``/gers/espaces``; a page of a
    plug-in is ``plugins/<name>/...``); ``label`` is in the language the hook was asked for;
    ``page`` is the page name that marks the entry as the current one; entries are shown by
    ``order`` (the core's own: 30 inquiry form, 40 meetups, 50 workspaces, 60 simulator),
    then by the plug-in's name."""

    label: str = Field(min_length=1, max_length=60)
    path: str = Field(pattern=r"^[a-z0-9][A-Za-z0-9_./?=&-]*$", max_length=200)
    page: str | None = None
    order: int = Field(default=100, ge=0, le=1000)


@dataclass(frozen=True)
class Panel:
    """A part a plug-in adds to one of the engine's pages (hook ``page_panels``).

    ``template`` is the name of a template of the plug-in's (``site_template_dirs``, or
    ``template_dirs`` for a region's plug-in), rendered in the region's environment with
    the page's variables, the values of ``context`` and ``panel`` (this object).
    Panels are shown by ``order`` (the core's own use 10-90), then by the plug-in's name."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    order: int = 100


@dataclass(frozen=True)
class Routes:
    """A set of routes a plug-in adds at fixed paths (hook ``app_routes``).

    Routes whose path names a region (``{slug}``) answer 404 in the regions where the
    plug-in is not enabled (a built-in feature switched off in ``region.yaml``). ``order``
    places the set among the others (smaller first; the core's API routes use 100-199,
    its pages 400-499, the catch-all region pages 900): Starlette serves a request with the
    first route that matches; order 0 comes before all, FastAPI's ``/openapi.json`` and
    ``/docs`` included. ``starlette_routes`` are added as they are, without the region
    check, for a route that decides itself what it matches. ``upload_paths`` are patterns
    (regular expressions searched in the path) of the routes that take a file: their body
    may reach the instance's ``max_upload_bytes`` instead of ``max_body_bytes``."""

    router: APIRouter | None = None
    order: int = 500
    starlette_routes: tuple[BaseRoute, ...] = ()
    upload_paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class Commands:
    """Sub-commands a plug-in adds to ``campagne`` (hook ``cli_commands``).

    ``add_parsers`` adds them to the command line's sub-parsers (``commands.add_parser(
    name, help=...)``, one per name of ``names``); ``run`` runs the one chosen (its name is
    ``args.command``) and returns the exit status: 0 for success, 1 when the work failed,
    2 for a wrong command line."""

    names: tuple[str, ...]
    add_parsers: Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]
    run: Callable[[argparse.Namespace], int]


#: A job's short name: lower-case words joined by dots, dashes or underscores.
JOB_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,59}$")


@dataclass(frozen=True)
class JobContext:
    """What a scheduled job is given when it runs.

    :param now: the due time this run is for (UTC); reminders and digests compute "tomorrow"
        and "due today" from it, not from the clock, so that a late run does the same work.
    :param settings: the instance's settings.
    :param regions: the regions where the job's plug-in is enabled.
    :param store_for: the plug-in's own tables in a region:
        ``with context.store_for(region.slug).open() as data: ...``.
    :param instance: the running instance, through which the engine's own features reach
        the database and the region folders; it is internal, outside the toolkit's
        stability promise, and other plug-ins use ``store_for``.
    """

    now: dt.datetime
    settings: Any
    regions: tuple[RegionInfo, ...]
    store_for: Callable[[str], Any]
    instance: Any


@dataclass(frozen=True)
class ScheduledJob:
    """Recurring work ``campagne worker`` runs (hook ``scheduled_jobs``).

    ``schedule`` is a cron expression of five fields read in Paris time (``"0 7 * * *"``:
    every day at 7:00). The job is run once per due time across all workers; a worker that
    was stopped runs the latest missed one when it starts again, not each of them.
    ``run`` does the work and returns a one-line account of it (``"12 reminders queued"``)
    or ``None``; an exception is recorded as the run's failure, the next due time tries
    again. Its full name is the plug-in's followed by ``name``
    (``campagne.followup.digest``); ``CAMPAGNE_JOB_SCHEDULES`` may change the schedule or
    switch the job off."""

    name: str
    schedule: str
    run: Callable[[JobContext], str | None]
    description: str = ""

    def __post_init__(self) -> None:
        if not JOB_NAME.match(self.name):
            raise ValueError(f"job name {self.name!r} must match {JOB_NAME.pattern}")


# --- notifications -----------------------------------------------------------------------


class NotificationKind(Frozen):
    """A kind of e-mail the engine or a plug-in sends to people (hook
    ``notification_kinds``), shown on their notifications page.

    ``key`` names the kind (``new_inquiry``); ``label`` is a text marked for translation
    (``N_("A new inquiry in my regions")``) or a mapping of languages (``{"fr": ..., "en":
    ...}``); ``audience`` says who receives it: ``staff`` (the staff of the regions where the
    plug-in is on) or ``member``; an ``optional`` kind may be switched off by each person,
    the others are always sent (a booking's confirmation) and are listed for information."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    label: str | dict[str, str]
    audience: Literal["staff", "member"]
    optional: bool = True

    @field_validator("label")
    @classmethod
    def _french_label(cls, label: str | dict[str, str]) -> str | dict[str, str]:
        if isinstance(label, dict) and "fr" not in label:
            raise ValueError("a French label ('fr') is required")
        return label

    def label_in(self, locale: str) -> str:
        """The label in ``locale`` (a marked text is translated, a mapping looked up)."""
        from campagne.i18n import translations

        if isinstance(self.label, str):
            return translations(locale).gettext(self.label)
        return self.label.get(locale) or self.label["fr"]
