"""Indicators of day-to-day operations: inquiries and their conversion and the
milestones of members' projects. Rows are read as bare tuples (dates,
ids, flags) and counted at once; every figure goes through disclosure control.

Erased records are counted like the engine counts erased members: erasure anonymises in
place and keeps what the figures need, so no figure changes when a person is erased.
Timestamps are compared by their date in UTC. Definitions: docs/statistics.md."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from campagne.features.followup.models import Milestone, MilestoneKind
from campagne.models import Member, MemberStatus
from campagne.operations.models import (
    Inquiry,
)
from campagne.stats import disclosure
from campagne.stats.period import Period
from campagne.stats.schema import Count, Measure, Table

IN_PROGRAMME = (MemberStatus.SETTLING.value, MemberStatus.SETTLED.value, MemberStatus.LEFT.value)


@dataclass(frozen=True)
class InquiryFigures:
    """Inquiries received, converted, and the median time to settle."""

    received: Count
    converted: Count
    median_days: Measure


def unavailable(unit: str) -> Measure:
    """A measure with nothing to compute it from in the period."""
    return Measure(value=None, unit=unit, available=False)


def protect_share(part: int, whole: int, threshold: int, unit: str = "share") -> Measure:
    """``part / whole``, published only when ``whole``, ``part`` and ``whole - part`` each
    concern no one or at least ``threshold`` (as retention shares)."""
    if whole == 0:
        return unavailable(unit)
    hidden = (whole < threshold or disclosure.is_sensitive(part, threshold)
              or disclosure.is_sensitive(whole - part, threshold))
    return Measure(value=None if hidden else round(part / whole, 3), unit=unit,
                   suppressed=hidden)


def period_start(period: Period) -> dt.datetime | None:
    """Midnight UTC of the first day of the period (``None``: since the first record)."""
    if period.start is None:
        return None
    return dt.datetime.combine(period.start, dt.time(), tzinfo=dt.UTC)


def after_end(period: Period) -> dt.datetime:
    """Midnight UTC after the last day of the period (excluded)."""
    return dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def inquiry_figures(session: Session, region_id: int, period: Period,
                    threshold: int) -> InquiryFigures:
    """Inquiries created in the period; inquiries that became a member and reached a settled
    stage in the period, and the median days from their creation to that stage."""
    start, after = period_start(period), after_end(period)
    received = select(func.count()).select_from(Inquiry).where(
        Inquiry.region_id == region_id, col(Inquiry.created_at) < after)
    settled = select(Inquiry.created_at, Inquiry.settled_at).where(
        Inquiry.region_id == region_id, col(Inquiry.member_id).is_not(None),
        col(Inquiry.settled_at).is_not(None), col(Inquiry.settled_at) < after)
    if start is not None:
        received = received.where(col(Inquiry.created_at) >= start)
        settled = settled.where(col(Inquiry.settled_at) >= start)
    durations = [(end.date() - begin.date()).days
                 for begin, end in session.exec(settled).all() if end is not None]
    converted = disclosure.protect_count(len(durations), threshold)
    if not durations:
        median = unavailable("days")
    elif converted.suppressed:
        median = Measure(value=None, unit="days", suppressed=True)
    else:
        median = Measure(value=round(float(statistics.median(durations)), 1), unit="days")
    return InquiryFigures(
        received=disclosure.protect_count(int(session.exec(received).one()), threshold),
        converted=converted, median_days=median)


def weekdays(first: dt.date, last: dt.date, opening_days: str = "12345") -> int:
    """Mondays to Fridays from ``first`` to ``last``, both included; only those among
    ``opening_days`` (ISO weekdays as digits, ``"12345"`` for Monday to Friday)."""
    days = (last - first).days + 1
    if days <= 0:
        return 0
    open_weekdays = {int(digit) - 1 for digit in opening_days if digit in "12345"}
    weeks, rest = divmod(days, 7)
    return weeks * len(open_weekdays) + sum(
        1 for i in range(rest) if (first.weekday() + i) % 7 in open_weekdays)


def milestones_reached(session: Session, region_id: int, period: Period,
                       threshold: int) -> Table:
    """Members (settling, settled or left) who reached each milestone in the period; a
    member may reach several, so the table has no total."""
    query = (select(Milestone.kind, func.count(func.distinct(Milestone.member_id)))
             .join(Member, col(Member.id) == col(Milestone.member_id))
             .where(Member.region_id == region_id, col(Member.status).in_(IN_PROGRAMME),
                    col(Milestone.reached_on) <= period.end)
             .group_by(col(Milestone.kind)))
    if period.start is not None:
        query = query.where(col(Milestone.reached_on) >= period.start)
    found = {kind: int(count) for kind, count in session.exec(query).all()}
    counts = {kind.value: found.get(kind.value, 0) for kind in MilestoneKind}
    return disclosure.protect_table(counts, threshold, with_total=False)
