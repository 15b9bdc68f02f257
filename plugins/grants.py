"""Grants: money a region pays newcomers, with its amount, conditions and deadline.

Each grant is listed in ``region.yaml``; a candidate is eligible when their status is
one the grant is for and the deadline has not passed. A one-off grant counts in full
in the first year's estimate.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from campagne.toolkit import (
    CandidateProfile,
    Incentive,
    LocalizedText,
    SourcedValue,
    both,
    hookimpl,
)

Status = Literal["employee_teleworker", "independent", "founder"]


class Grant(BaseModel):
    """One grant of the region."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title: LocalizedText
    amount_eur: SourcedValue
    conditions: LocalizedText
    statuses: list[Status] = Field(min_length=1)
    deadline: dt.date | None = None


class Settings(BaseModel):
    """The region's grants."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    grants: list[Grant] = Field(min_length=1)


def grant_incentive(grant: Grant, profile: CandidateProfile, today: dt.date) -> Incentive:
    """One grant for ``profile`` on ``today``: eligible, or why not."""
    reasons: list[dict[str, str]] = [grant.conditions]
    eligible = profile.status in grant.statuses
    if not eligible:
        reasons.append(both("Votre statut n'est pas concerné.", "Your status is not covered."))
    if grant.deadline is not None:
        reasons.append(both(f"Date limite : {grant.deadline.isoformat()}.",
                            f"Deadline: {grant.deadline.isoformat()}."))
        if grant.deadline < today:
            eligible = False
            reasons.append(both("La date limite est passée.", "The deadline has passed."))
    return Incentive(
        key=f"grant-{grant.key}", title=grant.title, eligible=eligible, category="grant",
        reasons=tuple(reasons),
        yearly_value_eur=grant.amount_eur.value if eligible else None,
        source=grant.amount_eur.source, illustrative=grant.amount_eur.illustrative,
        assumptions=(both("Versement unique, compté la première année.",
                          "Paid once, counted in the first year."),),
    )


@hookimpl
def incentives_for_profile(settings: Settings, profile: CandidateProfile) -> list[Incentive]:
    """One incentive per grant of the region."""
    today = dt.date.today()
    return [grant_incentive(grant, profile, today) for grant in settings.grants]
