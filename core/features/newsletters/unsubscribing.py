"""Unsubscribing from a newsletter's link, without signing in: the link's secret names the
subscription and the newsletter it came with, whose figure of unsubscriptions counts it
once. Audited, without the address."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, col

from campagne.auth import audit
from campagne.features.newsletters.consent import withdraw
from campagne.features.newsletters.models import Newsletter, Subscription


class Outcome(StrEnum):
    """What a link did."""

    UNSUBSCRIBED = "unsubscribed"
    ALREADY = "already"


def unsubscribe(session: Session, region_slug: str, region_id: int, subscription_id: int,
                newsletter_id: int, *, now: dt.datetime, address: str | None) -> Outcome:
    """Withdraw the subscription's consent (once) and count it for the newsletter; commit.
    A subscription erased since, or of another region, is simply no longer subscribed."""
    subscription = session.get(Subscription, subscription_id)
    if subscription is None or subscription.region_id != region_id:
        return Outcome.ALREADY
    if not withdraw(session, subscription_id, now):
        session.rollback()
        return Outcome.ALREADY
    session.execute(update(Newsletter).where(
        col(Newsletter.id) == newsletter_id, col(Newsletter.region_id) == region_id)
        .values(unsubscribed_count=col(Newsletter.unsubscribed_count) + 1))
    audit.record(session, None, "newsletter_unsubscribe", region_slug=region_slug,
                 target=f"newsletter_subscription:{subscription_id}", address=address,
                 newsletter=newsletter_id)
    session.commit()
    return Outcome.UNSUBSCRIBED
