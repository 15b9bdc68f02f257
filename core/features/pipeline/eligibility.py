"""The eligibility verdict of an inquiry: what the region offers the person and why,
computed by the same plug-in hooks as the move simulator, for the profile the inquiry gives
(its status, sector and département of origin, the simulator profile sent with it, and the
values of the plug-ins' profile fields: from that profile, or from the region's own question
of the same key, which wins)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from campagne.config import SUPPORTED_LOCALES, LocalizedText
from campagne.features.simulator.simulation import (
    SimulatedIncentive,
    region_fields,
    simulate_region,
)
from campagne.instance import Instance
from campagne.operations.models import Inquiry
from campagne.plugin_types import (
    CORE_PROFILE_FIELDS,
    CandidateProfile,
    ProfileField,
    ProfileValue,
)
from campagne.profile_fields import FieldValueError, check_value, shown_value

PROFILE_FIELDS = frozenset(CORE_PROFILE_FIELDS)


class ProfileAnswer(BaseModel):
    """The value of one plug-in's profile field in the verdict's profile."""

    key: str
    label: LocalizedText
    value: ProfileValue
    text: LocalizedText = Field(description="The value as a person reads it (an option's "
                                "label, yes or no)")


class EligibilityVerdict(BaseModel):
    """Per incentive: eligible or not, the reasons, the yearly value and its source."""

    profile: CandidateProfile
    ignored_fields: list[str] = Field(
        description="Fields of the inquiry's profile left out because they are not valid")
    incentives: list[SimulatedIncentive]
    eligible_count: int
    yearly_total_eur: float = Field(description="Sum of the eligible incentives' values")
    includes_illustrative: bool
    failed_plugins: list[str] = Field(description="Plug-ins left out because they failed")
    answers: list[ProfileAnswer] = Field(
        default_factory=list, description="The values of the plug-ins' profile fields used, "
        "with the fields' labels")


def _extra(inquiry: Inquiry, saved: dict[str, Any], fields: Sequence[ProfileField]
           ) -> tuple[dict[str, Any], list[str]]:
    """The values of the plug-ins' fields, and the keys left out as invalid."""
    answers = inquiry.answers if isinstance(inquiry.answers, dict) else {}
    values: dict[str, Any] = {}
    ignored: list[str] = []
    for profile_field in fields:
        raw = answers.get(profile_field.key, saved.get(profile_field.key))
        if isinstance(raw, str) and profile_field.kind == "boolean":
            raw = raw or None
        try:
            value = check_value(profile_field.model_copy(update={"required": False}), raw)
        except FieldValueError:
            ignored.append(profile_field.key)
            continue
        if value is not None:
            values[profile_field.key] = value
    return values, ignored


def candidate_profile(inquiry: Inquiry, fields: Sequence[ProfileField] = ()
                      ) -> tuple[CandidateProfile, list[str]]:
    """The profile of an inquiry, and the names of the fields left out as invalid;
    ``fields`` are the profile fields the region's plug-ins declare."""
    saved = inquiry.profile if isinstance(inquiry.profile, dict) else {}
    declared = {profile_field.key for profile_field in fields}
    extra, ignored = _extra(inquiry, saved, fields)
    data: dict[str, Any] = {key: value for key, value in saved.items() if key in PROFILE_FIELDS}
    ignored += sorted(key for key in saved if key not in PROFILE_FIELDS | declared)
    for name, value in (("status", inquiry.status), ("sector", inquiry.sector_slug),
                        ("origin_department", inquiry.origin_department)):
        if value:
            data[name] = value
    for _ in range(len(data) + 1):
        try:
            return CandidateProfile.model_validate({**data, "extra": extra}), sorted(ignored)
        except ValidationError as exc:
            wrong = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
            if not wrong & set(data):
                break
            ignored += sorted(wrong & set(data))
            data = {key: value for key, value in data.items() if key not in wrong}
    return CandidateProfile(extra=extra), sorted(set(ignored) | set(data))


def eligibility(instance: Instance, region_slug: str, inquiry: Inquiry) -> EligibilityVerdict:
    """The verdict for ``inquiry`` in its region (a failing plug-in is left out and named)."""
    fields = region_fields(instance, [region_slug])[region_slug]
    profile, ignored = candidate_profile(inquiry, fields)
    result = simulate_region(instance, region_slug, profile, fields)
    return EligibilityVerdict(
        profile=profile, ignored_fields=ignored, incentives=result.incentives,
        eligible_count=sum(1 for incentive in result.incentives if incentive.eligible),
        yearly_total_eur=result.yearly_total_eur,
        includes_illustrative=result.includes_illustrative,
        failed_plugins=result.failed_plugins,
        answers=[_answer(f, profile.extra[f.key]) for f in fields if f.key in profile.extra])


def _answer(profile_field: ProfileField, value: ProfileValue) -> ProfileAnswer:
    return ProfileAnswer(key=profile_field.key, label=profile_field.label, value=value,
                         text={locale: shown_value(profile_field, value, locale)
                               for locale in SUPPORTED_LOCALES})
