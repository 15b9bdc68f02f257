"""The data of the "Follow-up" section: on a member's staff page (with its forms) and on
the member's own account page (read-only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from campagne.features.followup import records as followup
from campagne.models import Member
from campagne.taxonomy import SERVICE_CATEGORIES


def staff_followup_context(session: Session, region_slug: str, member_id: int
                           ) -> dict[str, Any]:
    """What ``account/staff_followup.html`` needs beside the member page's own variables
    (``record``, ``can_write``, ``principal``, ``csrf``)."""
    member = session.get(Member, member_id)
    assert member is not None
    return {"followup": followup.follow_up(session, member, region_slug, by_name=True),
            "milestone_labels": followup.MILESTONE_LABELS,
            "service_categories": SERVICE_CATEGORIES,
            "followup_services": followup.catalogue(session, region_slug),
            "followup_advisors": followup.region_advisors(session, region_slug),
            "followup_today": dt.date.today().isoformat()}


def member_followup_context(session: Session, member_id: int, region_slug: str
                            ) -> dict[str, Any]:
    """What ``account/my_followup.html`` shows a member about their own project."""
    member = session.get(Member, member_id)
    assert member is not None
    return {"followup": followup.follow_up(session, member, region_slug, by_name=True),
            "milestone_labels": followup.MILESTONE_LABELS,
            "service_categories": SERVICE_CATEGORIES}
