"""Consent to receive a region's newsletter: given by a member on their account page or by
a prospect on the inquiry form, with its date and source; withdrawn from the account page
or from any newsletter's link. Withdrawing keeps the row (when and how consent was given and
withdrawn is the proof the GDPR asks for) until the person's record is erased."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col, select

from campagne.features.newsletters.models import Subscription
from campagne.models import Member
from campagne.operations.models import Inquiry

#: Where consent was given.
ACCOUNT = "account"
INQUIRY_SOURCES = {"form": "inquiry_form", "api": "inquiry_api"}


def member_subscription(session: Session, member_id: int) -> Subscription | None:
    """The member's subscription (active or withdrawn), if they ever consented."""
    return session.exec(select(Subscription).where(Subscription.member_id == member_id)).first()


def subscribe_member(session: Session, member: Member, now: dt.datetime) -> Subscription:
    """Record the member's consent (again, if they had withdrawn it); the caller commits."""
    assert member.id is not None and member.email
    row = member_subscription(session, member.id)
    if row is None:
        row = Subscription(region_id=member.region_id, member_id=member.id, email=member.email,
                           consented_at=now, source=ACCOUNT)
    elif row.unsubscribed_at is not None:
        row.consented_at, row.source, row.unsubscribed_at = now, ACCOUNT, None
        row.email = member.email
    session.add(row)
    return row


def subscribe_prospect(session: Session, inquiry: Inquiry,
                       now: dt.datetime) -> Subscription | None:
    """Record the consent ticked on ``inquiry``'s form (once: a second call changes
    nothing); ``None`` when the inquiry has no address any more. The caller commits."""
    if inquiry.email is None or inquiry.erased_at is not None:
        return None
    found = session.exec(select(Subscription).where(
        Subscription.inquiry_id == inquiry.id)).first()
    if found is not None:
        return found
    row = Subscription(region_id=inquiry.region_id, inquiry_id=inquiry.id, email=inquiry.email,
                       consented_at=now,
                       source=INQUIRY_SOURCES.get(inquiry.source, "inquiry_form"))
    session.add(row)
    return row


def withdraw(session: Session, subscription_id: int, now: dt.datetime) -> bool:
    """Withdraw the consent; ``False`` when it already was (nothing changes). A conditional
    ``UPDATE``: of two clicks at once, one withdraws and the other finds it done. The
    caller commits."""
    result = cast(CursorResult[Any], session.execute(
        update(Subscription).where(col(Subscription.id) == subscription_id,
                                   col(Subscription.unsubscribed_at).is_(None))
        .values(unsubscribed_at=now)))
    return result.rowcount == 1
