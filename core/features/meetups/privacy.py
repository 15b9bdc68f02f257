"""What the meetups hold of a person, for the GDPR hooks: the sign-ups in a member's export,
the seats an erased member gives back, and the guests forgotten after their period.

Sign-ups to meetups that have not started are cancelled at erasure as the person would
cancel them (the first person waiting gets the place, and is told after the commit). Past
ones stay, tied to the anonymised record, so that attendance figures do not change."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col, select

from campagne.after_commit import defer
from campagne.features.meetups.models import Meetup, Registration
from campagne.features.meetups.rules import LIVE, Notice, cancel_registration
from campagne.models import iso_or_none, utc_now

if TYPE_CHECKING:
    from campagne.instance import Instance

#: Guests' names and addresses are kept until three months after the meetup (long enough
#: to answer a question about it); the sign-up row stays, without identity.
GUEST_DAYS = 92
ERASED_GUEST = "—"


def member_registrations(session: Session, member_id: int) -> list[dict[str, Any]]:
    """The member's sign-ups to meetups, cancelled ones included, oldest first."""
    rows = session.exec(
        select(Registration, Meetup).join(Meetup, col(Meetup.id) == col(Registration.meetup_id))
        .where(Registration.member_id == member_id).order_by(col(Registration.id))).all()
    return [{"meetup_id": meetup.id, "meetup": meetup.title,
             "starts_at": iso_or_none(meetup.starts_at),
             "status": registration.status, "attended": registration.attended,
             "registered_at": iso_or_none(registration.created_at),
             "cancelled_at": iso_or_none(registration.cancelled_at)}
            for registration, meetup in rows]


def release_member_seats(session: Session, region_slug: str, member_id: int,
                         now: dt.datetime | None = None) -> list[Notice]:
    """Cancel the member's live sign-ups to meetups starting after ``now``; the people
    promoted from a waiting list are written to once the erasure is committed. Meetups are
    locked one by one in id order. Returns the notices; the caller commits."""
    now = now or utc_now()
    rows = session.exec(
        select(Registration.id, Registration.meetup_id)
        .join(Meetup, col(Meetup.id) == col(Registration.meetup_id))
        .where(Registration.member_id == member_id, col(Registration.status).in_(LIVE),
               col(Meetup.starts_at) > now)
        .order_by(col(Registration.meetup_id), col(Registration.id))).all()
    notices: list[Notice] = []
    for registration_id, meetup_id in rows:
        assert registration_id is not None
        notices += cancel_registration(session, meetup_id, registration_id, now)[1]
    others = [notice for notice in notices if notice.member_id != member_id]
    if notices:
        defer(session, lambda instance: _tell(instance, region_slug, notices, others))
    return notices


def _tell(instance: Instance, region_slug: str, notices: list[Notice],
          promoted: list[Notice]) -> None:
    """After the commit: write to the people given a place (in the instance's language;
    the erased person is not written to) and tell the plug-ins of every change."""
    from campagne.features.meetups.mail import build, language, queue_all
    from campagne.features.meetups.notify import payload

    region = instance.region(region_slug)
    with Session(instance.engine) as session, language(instance.settings.default_locale):
        queue_all(session, instance.settings, region_slug,
                  build(session, instance.settings, region_slug, promoted))
        session.commit()
    if region is not None:
        info = region.info()
        for notice in notices:
            instance.plugins.notify_event_registration(info, payload(notice))


def forget_past_guests(session: Session, now: dt.datetime | None = None,
                       days: int = GUEST_DAYS, region_id: int | None = None) -> int:
    """Blank the guests' names and addresses of meetups (of ``region_id``, or all) ended
    ``days`` ago or more; return how many sign-ups were concerned (the caller commits)."""
    limit = (now or utc_now()) - dt.timedelta(days=days)
    ended = select(Meetup.id).where(col(Meetup.ends_at) < limit)
    if region_id is not None:
        ended = ended.where(Meetup.region_id == region_id)
    result = cast(CursorResult[Any], session.execute(
        update(Registration)
        .where(col(Registration.meetup_id).in_(ended), col(Registration.member_id).is_(None),
               col(Registration.guest_email).is_not(None))
        .values(guest_name=ERASED_GUEST, guest_email=None)))
    return int(result.rowcount or 0)
