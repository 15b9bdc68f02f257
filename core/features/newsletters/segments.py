"""Who a newsletter goes to: the people of a segment who consented to it and have not
withdrawn. A member's erased record, an anonymised inquiry and a withdrawn consent are never
in a segment; each address gets one copy however many ways it consented.

Segments: the consenting members; the prospects (inquiries not yet a member); the people
signed up to a meetup of the region (as members or guests, a place confirmed); the members
and prospects of a sector; the members living in a commune."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from campagne.features.meetups.models import Meetup, Registration
from campagne.features.newsletters.models import Newsletter, Segment, Subscription
from campagne.i18n_markers import N_
from campagne.models import Member
from campagne.operations.models import Inquiry
from campagne.taxonomy import SECTORS_BY_SLUG

LABELS = {Segment.MEMBERS: N_("Members"), Segment.PROSPECTS: N_("Prospects"),
          Segment.MEETUPS: N_("Meetup participants"), Segment.SECTOR: N_("A sector"),
          Segment.COMMUNE: N_("A commune")}


@dataclass(frozen=True)
class Choice:
    """A segment, with the sector's slug or the commune's name it needs."""

    segment: Segment
    value: str | None = None


@dataclass(frozen=True)
class Recipient:
    """One address of a segment, and the subscription it comes from."""

    subscription_id: int
    email: str


def parse_choice(segment: str, sector: str = "", commune: str = "") -> Choice | None:
    """The segment chosen in a form; ``None`` when incomplete or unknown."""
    try:
        kind = Segment(segment)
    except ValueError:
        return None
    if kind is Segment.SECTOR:
        return Choice(kind, sector) if sector in SECTORS_BY_SLUG else None
    if kind is Segment.COMMUNE:
        name = " ".join(commune.split())
        return Choice(kind, name) if 0 < len(name) <= 120 else None
    return Choice(kind)


def choice_of(newsletter: Newsletter) -> Choice:
    """The segment a newsletter is written for."""
    return Choice(Segment(newsletter.segment), newsletter.segment_value)


def _live_member() -> Any:
    return and_(col(Subscription.member_id).is_not(None), col(Member.erased_at).is_(None))


def _live_inquiry() -> Any:
    return and_(col(Subscription.inquiry_id).is_not(None), col(Inquiry.erased_at).is_(None))


def _confirmed(region_id: int, column: Any) -> Any:
    """``column`` of the confirmed sign-ups to the region's meetups."""
    return (select(column).join(Meetup, col(Meetup.id) == col(Registration.meetup_id))
            .where(Meetup.region_id == region_id, Registration.status == "confirmed"))


def _at_meetups(region_id: int) -> Any:
    members = _confirmed(region_id, col(Registration.member_id))
    guests = _confirmed(region_id, func.lower(Registration.guest_email))
    return or_(and_(_live_member(), col(Subscription.member_id).in_(members)),
               and_(or_(_live_member(), _live_inquiry()),
                    func.lower(_address()).in_(guests)))


def _address() -> Any:
    """Where to write: the member's or inquiry's address today, else the one consented."""
    return func.coalesce(Member.email, Inquiry.email, Subscription.email)


def _condition(choice: Choice, region_id: int) -> Any:
    if choice.segment is Segment.MEMBERS:
        return _live_member()
    if choice.segment is Segment.PROSPECTS:
        return and_(_live_inquiry(), col(Inquiry.member_id).is_(None))
    if choice.segment is Segment.MEETUPS:
        return _at_meetups(region_id)
    if choice.segment is Segment.SECTOR:
        return or_(and_(_live_member(), col(Member.sector_slug) == choice.value),
                   and_(_live_inquiry(), col(Inquiry.sector_slug) == choice.value))
    return and_(_live_member(),
                func.lower(Member.commune) == (choice.value or "").lower())


def recipients(session: Session, region_id: int, choice: Choice) -> list[Recipient]:
    """The consenting people of ``choice`` in the region, one per address, oldest consent
    first."""
    rows = session.exec(
        select(Subscription.id, _address())
        .outerjoin(Member, col(Member.id) == col(Subscription.member_id))
        .outerjoin(Inquiry, col(Inquiry.id) == col(Subscription.inquiry_id))
        .where(Subscription.region_id == region_id, col(Subscription.unsubscribed_at).is_(None),
               _condition(choice, region_id))
        .order_by(col(Subscription.consented_at), col(Subscription.id))).all()
    seen: set[str] = set()
    found = []
    for subscription_id, email in rows:
        if email and email.lower() not in seen and subscription_id is not None:
            seen.add(email.lower())
            found.append(Recipient(subscription_id, email))
    return found


def communes(session: Session, region_id: int) -> list[str]:
    """The communes the region's members live in, for the form's suggestions."""
    names = session.exec(select(Member.commune).distinct().where(
        Member.region_id == region_id, col(Member.commune).is_not(None),
        col(Member.erased_at).is_(None)).order_by(col(Member.commune))).all()
    return [name for name in names if name]
