"""How long guests' names and addresses are kept: until three months after the meetup
(long enough to answer a question about it), then they are removed. The sign-up row stays,
without identity, so the counts of the statistics do not change. Members' sign-ups follow
their member record (erasure, ``campagne purge``)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col, select

from campagne.features.meetups.models import Meetup, Registration
from campagne.models import utc_now

GUEST_DAYS = 92
ERASED_GUEST = "—"


def forget_past_guests(session: Session, now: dt.datetime | None = None,
                       days: int = GUEST_DAYS) -> int:
    """Blank the guests' names and addresses of meetups ended ``days`` ago or more; return
    how many sign-ups were concerned (the caller commits)."""
    limit = (now or utc_now()) - dt.timedelta(days=days)
    ended = select(Meetup.id).where(col(Meetup.ends_at) < limit)
    result = cast(CursorResult[Any], session.execute(
        update(Registration)
        .where(col(Registration.meetup_id).in_(ended), col(Registration.member_id).is_(None),
               col(Registration.guest_email).is_not(None))
        .values(guest_name=ERASED_GUEST, guest_email=None)))
    return int(result.rowcount or 0)
