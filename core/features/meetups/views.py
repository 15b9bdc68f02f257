"""What is shown of meetups: the public summary (places left, never a name), the staff's
list of sign-ups, and the aggregate counts kept for the statistics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from babel.dates import format_date, format_time
from sqlalchemy import ColumnElement, case, func
from sqlmodel import Session, col, select

from campagne import i18n
from campagne.features.meetups.models import Meetup, Registration
from campagne.features.meetups.rules import (
    CONFIRMED,
    PARIS,
    WAITLISTED,
    aware,
    sign_up_open,
)
from campagne.models import Member, utc_now

#: Past meetups stay in the listing and the calendar feeds this long.
RECENT = dt.timedelta(days=92)


@dataclass(frozen=True)
class MeetupSummary:
    """A meetup as anyone may see it: no name, no address of a person."""

    meetup: Meetup
    confirmed: int
    waiting: int

    @property
    def places_left(self) -> int:
        """Places still free (0 when full)."""
        return max(self.meetup.capacity - self.confirmed, 0)

    @property
    def cancelled(self) -> bool:
        """True when the meetup was cancelled."""
        return self.meetup.cancelled_at is not None

    @property
    def open(self) -> bool:
        """True while sign-ups are taken."""
        return sign_up_open(self.meetup)

    @property
    def started(self) -> bool:
        """True once the meetup has started: its sign-ups can no longer be cancelled."""
        return aware(self.meetup.starts_at) <= utc_now()

    @property
    def past(self) -> bool:
        """True once the meetup has ended."""
        return aware(self.meetup.ends_at) <= utc_now()

    @property
    def starts_local(self) -> dt.datetime:
        """The start in Paris time."""
        return aware(self.meetup.starts_at).astimezone(PARIS)

    @property
    def ends_local(self) -> dt.datetime:
        """The end in Paris time."""
        return aware(self.meetup.ends_at).astimezone(PARIS)


def _counts(session: Session, ids: list[int]) -> dict[int, tuple[int, int]]:
    """(confirmed, waiting) per meetup id, in one query."""
    if not ids:
        return {}
    rows = session.exec(select(
        Registration.meetup_id,
        func.sum(case((col(Registration.status) == CONFIRMED, 1), else_=0)),
        func.sum(case((col(Registration.status) == WAITLISTED, 1), else_=0)))
        .where(col(Registration.meetup_id).in_(ids)).group_by(col(Registration.meetup_id)))
    return {meetup_id: (int(c or 0), int(w or 0)) for meetup_id, c, w in rows}


def summaries(session: Session, meetups: Sequence[Meetup]) -> list[MeetupSummary]:
    """The public summaries of ``meetups``, in the same order."""
    counts = _counts(session, [m.id for m in meetups if m.id is not None])
    return [MeetupSummary(m, *counts.get(m.id or 0, (0, 0))) for m in meetups]


def summary(session: Session, meetup: Meetup) -> MeetupSummary:
    """The public summary of one meetup."""
    return summaries(session, [meetup])[0]


def region_meetups(session: Session, region_id: int, *, since: dt.datetime | None = None
                   ) -> list[Meetup]:
    """The region's meetups starting after ``since`` (default: those of the last three
    months and all upcoming ones), soonest first."""
    start = since if since is not None else utc_now() - RECENT
    return list(session.exec(select(Meetup).where(
        Meetup.region_id == region_id, col(Meetup.starts_at) >= start)
        .order_by(col(Meetup.starts_at), col(Meetup.id))).all())


def upcoming_meetups(session: Session, region_id: int, *, limit: int) -> list[Meetup]:
    """The region's next ``limit`` meetups not cancelled, soonest first."""
    return list(session.exec(select(Meetup).where(
        Meetup.region_id == region_id, col(Meetup.starts_at) >= utc_now(),
        col(Meetup.cancelled_at).is_(None))
        .order_by(col(Meetup.starts_at), col(Meetup.id)).limit(limit)).all())


def meetups_from(session: Session, region_id: int, day: dt.date, *, limit: int
                 ) -> list[Meetup]:
    """The region's next ``limit`` meetups not cancelled that start on ``day`` (in Paris)
    or later, soonest first: today's meetup stays the next one all day."""
    start = dt.datetime.combine(day, dt.time(), PARIS).astimezone(dt.UTC)
    return list(session.exec(select(Meetup).where(
        Meetup.region_id == region_id, col(Meetup.starts_at) >= start,
        col(Meetup.cancelled_at).is_(None))
        .order_by(col(Meetup.starts_at), col(Meetup.id)).limit(limit)).all())


def paris_today() -> dt.date:
    """Today's date in Paris, the day the public pages count from."""
    return utc_now().astimezone(PARIS).date()


@dataclass(frozen=True)
class SignUpRow:
    """One sign-up as the region's staff see it (personal data)."""

    registration: Registration
    name: str
    email: str | None
    position: int | None

    @property
    def is_member(self) -> bool:
        """True for a member's sign-up, False for a guest's."""
        return self.registration.member_id is not None


def sign_up_rows(session: Session, meetup_id: int) -> list[SignUpRow]:
    """Every sign-up of a meetup, in order of arrival, with names (staff only, audited)."""
    rows = session.exec(select(Registration, Member).outerjoin(
        Member, col(Member.id) == col(Registration.member_id))
        .where(Registration.meetup_id == meetup_id).order_by(col(Registration.id))).all()
    found, waiting = [], 0
    for registration, member in rows:
        position = None
        if registration.status == WAITLISTED:
            waiting += 1
            position = waiting
        name = (f"{member.first_name} {member.last_name}" if member is not None
                else registration.guest_name or "")
        email = member.email if member is not None else registration.guest_email
        found.append(SignUpRow(registration, name, email, position))
    return found


@dataclass(frozen=True)
class MeetupFigures:
    """Counts over a period, for the statistics (no person can be told apart)."""

    held: int
    cancelled: int
    places_offered: int
    confirmed_sign_ups: int
    guest_sign_ups: int
    attended: int
    attendance_recorded: int


def meetup_figures(session: Session, region_id: int, start: dt.datetime | None,
                   end: dt.datetime) -> MeetupFigures:
    """Meetups that started in ``[start, end)`` (``start`` ``None``: since the first):
    held and cancelled, places, confirmed sign-ups (of guests among them), attendance."""
    where: list[ColumnElement[bool]] = [col(Meetup.region_id) == region_id,
                                        col(Meetup.starts_at) < end]
    if start is not None:
        where.append(col(Meetup.starts_at) >= start)
    held_rows = session.exec(select(
        func.count(), func.coalesce(func.sum(Meetup.capacity), 0))
        .where(*where, col(Meetup.cancelled_at).is_(None))).one()
    cancelled = session.exec(select(func.count()).select_from(Meetup)
                             .where(*where, col(Meetup.cancelled_at).is_not(None))).one()
    confirmed, guests, attended, recorded = session.exec(select(
        func.count(),
        func.coalesce(func.sum(case((col(Registration.member_id).is_(None), 1), else_=0)), 0),
        func.coalesce(func.sum(case((col(Registration.attended).is_(True), 1), else_=0)), 0),
        func.coalesce(func.sum(case((col(Registration.attended).is_not(None), 1), else_=0)),
                      0))
        .join(Meetup, col(Meetup.id) == col(Registration.meetup_id))
        .where(*where, col(Meetup.cancelled_at).is_(None),
               Registration.status == CONFIRMED)).one()
    return MeetupFigures(held=int(held_rows[0]), cancelled=int(cancelled),
                         places_offered=int(held_rows[1]), confirmed_sign_ups=int(confirmed),
                         guest_sign_ups=int(guests), attended=int(attended),
                         attendance_recorded=int(recorded))



def when_text(meetup: Meetup) -> str:
    """Day and hours of a meetup in Paris time, in the current language (e.g. "jeudi
    3 décembre 2026, 18:30–21:00")."""
    start = aware(meetup.starts_at).astimezone(PARIS)
    end = aware(meetup.ends_at).astimezone(PARIS)
    locale = i18n.current_locale.get()
    begin, finish = (format_time(moment, "HH:mm", locale=locale) for moment in (start, end))
    day = format_date(start.date(), "full", locale=locale)
    if end.date() != start.date():
        return f"{day}, {begin} – {format_date(end.date(), 'full', locale=locale)}, {finish}"
    return f"{day}, {begin}–{finish}"
