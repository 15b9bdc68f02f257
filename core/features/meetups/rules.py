"""Monthly meetups: creating and changing them, signing people up, the waiting list and
attendance. Every decision about places is taken with the meetup row locked
(:mod:`campagne.operations.locking`), so capacity holds under concurrent sign-ups.

Functions here change the session and leave the commit to the caller; they return what
happened to whom (:class:`Notice`), so that e-mail and plug-ins are told after the commit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from campagne.features.meetups.models import Meetup, Registration, RegistrationStatus
from campagne.models import Region, utc_now
from campagne.operations.locking import lock_row
from campagne.settings import CampagneSettings

#: The regions served are in metropolitan France: times are shown and exported in this zone.
PARIS = ZoneInfo("Europe/Paris")
CONFIRMED = RegistrationStatus.CONFIRMED.value
WAITLISTED = RegistrationStatus.WAITLISTED.value
CANCELLED = RegistrationStatus.CANCELLED.value
LIVE = (CONFIRMED, WAITLISTED)
#: Fields whose change is visible in a calendar (they raise the iCalendar SEQUENCE).
CALENDAR_FIELDS = ("title", "theme", "description", "starts_at", "ends_at", "place",
                   "address", "cancelled")
EDITABLE = (*CALENDAR_FIELDS, "capacity")
NoticeKind = Literal["confirmed", "waitlisted", "cancelled", "promoted"]


class MeetupError(Exception):
    """A change the meetup's state does not allow; ``field`` names the culprit if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


class UnknownMeetup(MeetupError):
    """No such meetup in this region."""


class SignUpClosed(MeetupError):
    """The meetup is cancelled or has started."""


class AlreadyRegistered(MeetupError):
    """The person already holds a live sign-up for the meetup."""


class StaleVersion(MeetupError):
    """The meetup changed since the caller read it."""


class CancellationClosed(MeetupError):
    """The meetup has started: its sign-ups are history (attendance, figures) and stay."""


@dataclass(frozen=True)
class Notice:
    """Something that happened to one sign-up, to be told after the commit."""

    kind: NoticeKind
    registration_id: int
    meetup_id: int
    member_id: int | None
    occurred_at: dt.datetime


def aware(moment: dt.datetime) -> dt.datetime:
    """``moment`` with a zone (naive values are taken as Paris time)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=PARIS)


def new_uid(settings: CampagneSettings) -> str:
    """A globally unique iCalendar UID, under the instance's host name."""
    host = urlsplit(settings.public_url).hostname or "campagne.invalid"
    return f"{uuid.uuid4().hex}@{host}"[:80]


def normalise_email(email: str) -> str:
    """The form in which guests' addresses are stored and compared."""
    return email.strip().lower()


def region_meetup(session: Session, region_id: int, meetup_id: int) -> Meetup | None:
    """A meetup of the region (``None`` for another region's id)."""
    meetup = session.get(Meetup, meetup_id)
    return meetup if meetup is not None and meetup.region_id == region_id else None


def create_meetup(session: Session, settings: CampagneSettings, region_id: int,
                  values: dict[str, Any]) -> Meetup:
    """Add a meetup from checked ``values`` (the caller commits)."""
    _check_times(aware(values["starts_at"]), aware(values["ends_at"]))
    meetup = Meetup(region_id=region_id, uid=new_uid(settings), **{
        **values, "starts_at": aware(values["starts_at"]), "ends_at": aware(values["ends_at"])})
    session.add(meetup)
    session.flush()
    return meetup


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if ends_at <= starts_at:
        raise MeetupError("ends_at must come after starts_at", "ends_at")


def update_meetup(session: Session, region_id: int, meetup_id: int, version: int,
                  changes: dict[str, Any]) -> tuple[Meetup, list[str], list[Notice]]:
    """Apply ``changes`` (keys of ``EDITABLE``; ``cancelled`` a boolean) if ``version`` is
    current. Raising the capacity promotes the first people waiting. Returns the meetup,
    the names of the fields that changed and the promotions. The caller commits."""
    meetup = lock_row(session, Meetup, meetup_id)
    if meetup is None or meetup.region_id != region_id:
        raise UnknownMeetup("Unknown meetup")
    if meetup.version != version:
        raise StaleVersion("The meetup was changed by someone else; read it again")
    now = utc_now()
    changed = [name for name, value in changes.items() if _set(meetup, name, value, now)]
    _check_times(meetup.starts_at, meetup.ends_at)
    if "capacity" in changed and meetup.capacity < confirmed_count(session, meetup_id):
        raise MeetupError("capacity is below the number of confirmed sign-ups", "capacity")
    if not changed:
        return meetup, [], []
    meetup.version += 1
    meetup.updated_at = now
    if set(changed) & set(CALENDAR_FIELDS):
        meetup.sequence += 1
    session.add(meetup)
    return meetup, sorted(changed), _promote(session, meetup, now)


def _set(meetup: Meetup, name: str, value: Any, now: dt.datetime) -> bool:
    """Set one field; True when it changed."""
    if name not in EDITABLE:
        raise MeetupError(f"{name} cannot be changed", name)
    if name == "cancelled":
        if bool(value) == (meetup.cancelled_at is not None):
            return False
        meetup.cancelled_at = now if value else None
        return True
    if name in ("starts_at", "ends_at"):
        value = aware(value)
    if getattr(meetup, name) == value:
        return False
    setattr(meetup, name, value)
    return True


def confirmed_count(session: Session, meetup_id: int) -> int:
    """How many places are taken."""
    return int(session.exec(select(func.count()).select_from(Registration).where(
        Registration.meetup_id == meetup_id, Registration.status == CONFIRMED)).one())


def waiting_list(session: Session, meetup_id: int) -> Sequence[Registration]:
    """The people waiting, first come first (sign-ups are numbered in the order they were
    taken, under the meetup's lock)."""
    return session.exec(select(Registration).where(
        Registration.meetup_id == meetup_id, Registration.status == WAITLISTED)
        .order_by(col(Registration.id))).all()


def waiting_position(session: Session, registration: Registration) -> int | None:
    """1 for the first person waiting; ``None`` when not waiting."""
    if registration.status != WAITLISTED:
        return None
    ahead = session.exec(select(func.count()).select_from(Registration).where(
        Registration.meetup_id == registration.meetup_id, Registration.status == WAITLISTED,
        col(Registration.id) < registration.id)).one()
    return int(ahead) + 1


def sign_up_open(meetup: Meetup, now: dt.datetime | None = None) -> bool:
    """Sign-ups are taken until the meetup starts, unless it is cancelled."""
    return meetup.cancelled_at is None and aware(meetup.starts_at) > (now or utc_now())


def register(session: Session, region_id: int, meetup_id: int, *, member_id: int | None = None,
             guest_name: str | None = None, guest_email: str | None = None,
             registered_by_id: int | None = None) -> tuple[Registration, Notice]:
    """Sign a member (``member_id``) or a guest up: a place if one is left, else the waiting
    list. Raises :class:`AlreadyRegistered` when the person (member id or guest e-mail)
    already holds a live sign-up. The caller commits (which releases the lock)."""
    meetup = lock_row(session, Meetup, meetup_id)
    if meetup is None or meetup.region_id != region_id:
        raise UnknownMeetup("Unknown meetup")
    now = utc_now()
    if not sign_up_open(meetup, now):
        raise SignUpClosed("Sign-ups to this meetup are closed")
    email = normalise_email(guest_email) if guest_email else None
    same = (Registration.member_id == member_id) if member_id is not None else (
        Registration.guest_email == email)
    if session.exec(select(Registration.id).where(
            Registration.meetup_id == meetup_id, col(Registration.status).in_(LIVE),
            same)).first() is not None:
        raise AlreadyRegistered("This person is already signed up for this meetup")
    kind: NoticeKind = ("confirmed" if confirmed_count(session, meetup_id) < meetup.capacity
                        else "waitlisted")
    registration = Registration(
        meetup_id=meetup_id, member_id=member_id,
        guest_name=guest_name.strip() if member_id is None and guest_name else None,
        guest_email=email if member_id is None else None, status=kind,
        registered_by_id=registered_by_id, created_at=now)
    session.add(registration)
    session.flush()
    return registration, _notice(registration, kind, now)


def cancel_registration(session: Session, meetup_id: int, registration_id: int,
                        now: dt.datetime | None = None) -> tuple[Registration, list[Notice]]:
    """Cancel a live sign-up; a place freed goes to the first person waiting. Returns the
    registration and the notices (its cancellation, then any promotion); nothing happens
    to a sign-up already cancelled. Raises :class:`CancellationClosed` once the meetup has
    started (``now``: the current time). The caller commits."""
    meetup = lock_row(session, Meetup, meetup_id)
    registration = session.exec(select(Registration).where(
        Registration.id == registration_id, Registration.meetup_id == meetup_id)
        .execution_options(populate_existing=True)).first()
    if meetup is None or registration is None:
        raise UnknownMeetup("Unknown registration")
    if registration.status == CANCELLED:
        return registration, []
    now = now or utc_now()
    if aware(meetup.starts_at) <= now:
        raise CancellationClosed(
            "The meetup has started: its sign-ups can no longer be cancelled")
    registration.status, registration.cancelled_at = CANCELLED, now
    session.add(registration)
    session.flush()
    return registration, [_notice(registration, "cancelled", now),
                          *_promote(session, meetup, now)]


def _promote(session: Session, meetup: Meetup, now: dt.datetime) -> list[Notice]:
    """Give the free places to the people waiting longest (the meetup row is locked)."""
    assert meetup.id is not None
    if not sign_up_open(meetup, now):
        return []
    free = meetup.capacity - confirmed_count(session, meetup.id)
    notices = []
    for registration in waiting_list(session, meetup.id)[:max(free, 0)]:
        registration.status, registration.promoted_at = CONFIRMED, now
        session.add(registration)
        notices.append(_notice(registration, "promoted", now))
    session.flush()
    return notices


def _notice(registration: Registration, kind: NoticeKind, now: dt.datetime) -> Notice:
    assert registration.id is not None
    return Notice(kind=kind, registration_id=registration.id,
                  meetup_id=registration.meetup_id, member_id=registration.member_id,
                  occurred_at=now)


def mark_attendance(session: Session, meetup: Meetup, marks: dict[int, bool | None]
                    ) -> list[int]:
    """Record who came (``True``), who did not (``False``) or unknown (``None``), by
    registration id; only confirmed sign-ups of this meetup. Returns the ids changed."""
    if meetup.cancelled_at is not None:
        raise SignUpClosed("The meetup is cancelled")
    rows = {r.id: r for r in session.exec(select(Registration).where(
        Registration.meetup_id == meetup.id, col(Registration.id).in_(list(marks))))}
    unknown = sorted(set(marks) - {i for i, r in rows.items() if r.status == CONFIRMED})
    if unknown:
        raise MeetupError(f"not confirmed sign-ups of this meetup: {unknown}", "marks")
    changed = []
    for registration_id, attended in sorted(marks.items()):
        row = rows[registration_id]
        if row.attended != attended:
            row.attended = attended
            session.add(row)
            changed.append(registration_id)
    return changed


def region_id_of(session: Session, slug: str) -> int:
    """The database id of a served region."""
    region_id = session.exec(select(Region.id).where(Region.slug == slug)).one()
    assert region_id is not None
    return region_id


def region_slug_of(session: Session, region_id: int) -> str:
    """The slug of a region by its database id."""
    return session.exec(select(Region.slug).where(Region.id == region_id)).one()
