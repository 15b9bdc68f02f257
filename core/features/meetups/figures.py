"""The meetups' figures in the region's open statistics (``meetups_held``,
``meetup_attendance``, ``meetup_attendance_rate``), given to the statistics engine through
the hook ``operations_figures``. Definitions: docs/statistics.md."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from campagne.features.meetups.models import Meetup, Registration, RegistrationStatus
from campagne.stats import disclosure
from campagne.stats.operations import after_end, period_start, protect_share
from campagne.stats.period import Period
from campagne.stats.schema import Count, Measure


def meetup_figures(session: Session, region_id: int, period: Period, threshold: int,
                   now: dt.datetime) -> dict[str, Measure | Count]:
    """Meetups of the region that started in the period (and before ``now``) and were not
    cancelled; the members who attended one; the attendance rate of those whose attendance
    was taken. Keyed by their names in the published schema."""
    start, after = period_start(period), min(after_end(period), now)
    held = select(Meetup.id).where(Meetup.region_id == region_id,
                                   col(Meetup.cancelled_at).is_(None),
                                   col(Meetup.starts_at) < after)
    if start is not None:
        held = held.where(col(Meetup.starts_at) >= start)
    meetup_ids = [int(i) for i in session.exec(held).all() if i is not None]
    rows = session.exec(select(Registration.meetup_id, Registration.member_id,
                               Registration.status, Registration.attended)
                        .where(col(Registration.meetup_id).in_(meetup_ids))).all() \
        if meetup_ids else []
    attendees = {member for _, member, _, attended in rows if attended and member is not None}
    taken = {meetup for meetup, _, _, attended in rows if attended is not None}
    expected = [attended is True for meetup, _, status, attended in rows if meetup in taken
                and (status == RegistrationStatus.CONFIRMED.value or attended is True)]
    return {
        "meetups_held": Measure(value=len(meetup_ids), unit="meetups"),
        "meetup_attendance": disclosure.protect_count(len(attendees), threshold),
        "meetup_attendance_rate": protect_share(sum(expected), len(expected), threshold),
    }
