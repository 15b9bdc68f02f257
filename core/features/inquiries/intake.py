"""Receiving an inquiry from someone thinking of moving: storing it, counted by the rate
limits (:mod:`.rate_limit`), with its acknowledgement in the mail outbox, then (after the
commit) telling the plug-ins.

The inquiry is stored before anything else happens: an e-mail server that is down or a
failing plug-in never loses it, nor its acknowledgement (``campagne worker`` sends it)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlmodel import Session, select

from campagne.auth import audit
from campagne.config import RegionConfig
from campagne.features.inquiries.events import inquiry_event
from campagne.features.inquiries.form import CleanInquiry, InquiryFormSpec
from campagne.features.inquiries.rate_limit import count_sending
from campagne.models import Region, utc_now
from campagne.operations.models import Inquiry, InquirySource
from campagne.plugin_manager import CampagnePluginManager
from campagne.plugin_types import CandidateProfile, InquiryEvent, ProfileField, RegionInfo
from campagne.profile_fields import FieldValueError, check_value
from campagne.taxonomy import SECTORS_BY_SLUG

log = logging.getLogger(__name__)
FIRST_STAGE = "new"


class SimulatorProfile(BaseModel):
    """The part of a simulator profile an inquiry may carry: never a name nor a contact,
    so it may travel in an address (the simulator's link to the form)."""

    model_config = ConfigDict(extra="forbid")
    status: Literal["employee_teleworker", "independent", "founder"] | None = None
    sector: str | None = Field(default=None, description="A sector slug of campagne.taxonomy")
    origin_department: str | None = Field(
        default=None, pattern=r"^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$")

    @field_validator("sector")
    @classmethod
    def _known_sector(cls, sector: str | None) -> str | None:
        if sector is not None and sector not in SECTORS_BY_SLUG:
            raise ValueError(f"unknown sector '{sector}'")
        return sector


PROFILE_FIELDS = tuple(SimulatorProfile.model_fields)


def profile_from(values: Mapping[str, str], fields: Sequence[ProfileField] = ()
                 ) -> dict[str, Any]:
    """The valid profile fields among ``values`` (a query string, hidden inputs): the
    core's and those the region's plug-ins declare (``fields``, checked values); an invalid
    one is left out rather than refused: it only prefills the form."""
    kept: dict[str, Any] = {}
    for name in PROFILE_FIELDS:
        value = values.get(name, "").strip()
        try:
            SimulatorProfile.model_validate({name: value})
        except ValidationError:
            continue
        if value:
            kept[name] = value
    for profile_field in fields:
        try:
            checked = check_value(profile_field, values.get(profile_field.key))
        except FieldValueError:
            continue
        if checked is not None:
            kept[profile_field.key] = checked
    return kept


def prefill_values(spec: InquiryFormSpec, profile: Mapping[str, Any]) -> dict[str, str]:
    """The form's values prefilled from ``profile``: its default fields, and the region's own
    questions whose key is that of a plug-in's profile field."""
    inputs = spec.by_name()
    values = {name: value for name, value in profile.items() if name in PROFILE_FIELDS}
    for key, value in profile.items():
        question = inputs.get(f"extra_{key}")
        if question is not None and question.extra:
            values[question.input_name] = _as_text(value)
    return values


def _as_text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def prefill_query(profile: CandidateProfile) -> str:
    """The query string that opens a region's form prefilled from a simulated profile (its
    non-personal core fields and the plug-ins' fields)."""
    values = {name: getattr(profile, name) for name in PROFILE_FIELDS}
    values.update({key: _as_text(value) for key, value in profile.extra.items()})
    return urlencode({name: value for name, value in values.items() if value not in (None, "")})


def entry_stage(config: RegionConfig) -> str:
    """The first stage of the region's pipeline, where new inquiries start (``new`` by
    default)."""
    return config.pipeline.entry.key


def store_inquiry(session: Session, region_slug: str, inquiry: CleanInquiry, *,
                  source: InquirySource, profile: dict[str, Any], address: str | None,
                  stage: str = FIRST_STAGE,
                  also: Callable[[Session, Inquiry], None] | None = None) -> Inquiry:
    """Add the inquiry at ``stage`` (the pipeline's first), with its consent, and commit;
    ``also`` adds what belongs to the same transaction (the acknowledgement's e-mail)."""
    region = session.exec(select(Region).where(Region.slug == region_slug)).one()
    assert region.id is not None
    values = dict(inquiry.values)
    values.pop("consent", None)
    answers = dict(inquiry.answers)
    if values.pop("keep_application", False):
        answers["keep_application"] = True
    now = utc_now()
    row = Inquiry(
        region_id=region.id, first_name=values.pop("first_name"),
        last_name=values.pop("last_name"), sector_slug=values.pop("sector", None),
        **values, answers=answers, profile=profile, source=source.value, stage=stage,
        stage_changed_at=now, consent_purpose=inquiry.consent_purpose, consent_given_at=now,
        last_contact_at=now.date(), created_at=now, updated_at=now)
    session.add(row)
    count_sending(session, address, row.email or '')
    session.flush()
    audit.record(session, None, "inquiry_received", region_slug=region_slug,
                 target=f"inquiry:{row.id}", address=address, source=source.value)
    if also is not None:
        also(session, row)
    session.commit()
    session.refresh(row)
    return row


@dataclass(frozen=True)
class AfterCommit:
    """What follows a stored inquiry, once the answer has gone: the plug-ins' hook. Holds
    no database object, so it outlives the request."""

    plugins: CampagnePluginManager
    region: RegionInfo
    event: InquiryEvent

    def __call__(self) -> None:
        """Tell the plug-ins (contained)."""
        self.plugins.notify_inquiry_received(self.region, self.event)


def after_commit(plugins: CampagnePluginManager, region: RegionInfo,
                 inquiry: Inquiry, consents: tuple[str, ...] = ()) -> AfterCommit:
    """The work to run once ``inquiry`` is committed and answered (``consents``: the keys
    of the plug-ins' consent boxes ticked)."""
    return AfterCommit(plugins, region, inquiry_event(region.slug, inquiry, "received",
                                                      consents=consents))
