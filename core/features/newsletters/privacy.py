"""What the newsletters hold of a person, for the GDPR hooks: their consent (date, source,
withdrawal) and the newsletters sent to them in their export; the deletion of both when
their record is erased; and the purge of prospects' consents once their inquiry has been
anonymised (at the end of its retention period, or with the member it became).

A newsletter's figures (e-mails sent, unsubscriptions) stay: they count, they name no one."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_
from sqlmodel import Session, col, select

from campagne.features.newsletters.models import Newsletter, NewsletterSend, Subscription
from campagne.models import Member, iso_or_none
from campagne.operations.models import Inquiry


def _of_member(member_id: int) -> Any:
    """The member's subscriptions: their own and those of the inquiries that became them."""
    inquiries = select(Inquiry.id).where(Inquiry.member_id == member_id)
    return or_(col(Subscription.member_id) == member_id,
               col(Subscription.inquiry_id).in_(inquiries))


def member_newsletters(session: Session, member_id: int) -> dict[str, Any]:
    """The export's ``newsletter_subscriptions`` and ``newsletters_received``."""
    subscriptions = session.exec(select(Subscription).where(_of_member(member_id))
                                 .order_by(col(Subscription.id))).all()
    received = session.exec(
        select(Newsletter.subject, NewsletterSend.queued_at)
        .join(NewsletterSend, col(NewsletterSend.newsletter_id) == col(Newsletter.id))
        .join(Subscription, col(Subscription.id) == col(NewsletterSend.subscription_id))
        .where(_of_member(member_id)).order_by(col(NewsletterSend.queued_at))).all()
    return {
        "newsletter_subscriptions": [
            {"email": row.email, "consented_at": iso_or_none(row.consented_at),
             "source": row.source, "unsubscribed_at": iso_or_none(row.unsubscribed_at)}
            for row in subscriptions],
        "newsletters_received": [{"subject": subject, "sent_at": iso_or_none(at)}
                                 for subject, at in received]}


def _delete(session: Session, condition: Any) -> int:
    ids = select(Subscription.id).where(condition)
    session.execute(delete(NewsletterSend).where(col(NewsletterSend.subscription_id).in_(ids)))
    result = cast(CursorResult[Any], session.execute(delete(Subscription).where(condition)))
    return int(result.rowcount or 0)


def forget_member(session: Session, member_id: int) -> int:
    """Delete the member's subscriptions and what was sent to them; the caller commits."""
    return _delete(session, _of_member(member_id))


def forget_anonymised(session: Session, region_id: int) -> int:
    """Delete the region's subscriptions whose inquiry was anonymised or whose member was
    erased (what the erasure itself did not reach); the caller commits."""
    erased_inquiries = select(Inquiry.id).where(col(Inquiry.erased_at).is_not(None))
    erased_members = select(Member.id).where(col(Member.erased_at).is_not(None))
    return _delete(session, (col(Subscription.region_id) == region_id) & or_(
        col(Subscription.inquiry_id).in_(erased_inquiries),
        col(Subscription.member_id).in_(erased_members)))
