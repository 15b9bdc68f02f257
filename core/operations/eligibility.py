"""The eligibility verdict of an inquiry: what the region offers the person and why,
computed by the same plug-in hooks as the move simulator, for the profile the inquiry gives
(its status, sector and département of origin, and the simulator profile sent with it)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, ValidationError

from campagne.instance import Instance
from campagne.operations.models import Inquiry
from campagne.plugin_types import CandidateProfile
from campagne.simulator import SimulatedIncentive, simulate_region

PROFILE_FIELDS = frozenset(CandidateProfile.model_fields)


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


def candidate_profile(inquiry: Inquiry) -> tuple[CandidateProfile, list[str]]:
    """The profile of an inquiry, and the names of the fields left out as invalid."""
    saved = inquiry.profile if isinstance(inquiry.profile, dict) else {}
    data: dict[str, Any] = {key: value for key, value in saved.items() if key in PROFILE_FIELDS}
    ignored = sorted(key for key in saved if key not in PROFILE_FIELDS)
    for name, value in (("status", inquiry.status), ("sector", inquiry.sector_slug),
                        ("origin_department", inquiry.origin_department)):
        if value:
            data[name] = value
    for _ in range(len(data) + 1):
        try:
            return CandidateProfile.model_validate(data), sorted(ignored)
        except ValidationError as exc:
            wrong = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
            if not wrong & set(data):
                break
            ignored += sorted(wrong & set(data))
            data = {key: value for key, value in data.items() if key not in wrong}
    return CandidateProfile(), sorted(set(ignored) | set(data))


def eligibility(instance: Instance, region_slug: str, inquiry: Inquiry) -> EligibilityVerdict:
    """The verdict for ``inquiry`` in its region (a failing plug-in is left out and named)."""
    profile, ignored = candidate_profile(inquiry)
    result = simulate_region(instance, region_slug, profile)
    return EligibilityVerdict(
        profile=profile, ignored_fields=ignored, incentives=result.incentives,
        eligible_count=sum(1 for incentive in result.incentives if incentive.eligible),
        yearly_total_eur=result.yearly_total_eur,
        includes_illustrative=result.includes_illustrative,
        failed_plugins=result.failed_plugins)
