"""Who receives a notification: a region's staff, an adviser, a member's account, each
unless they switched the kind off."""

from __future__ import annotations

from sqlmodel import Session, col, select

from campagne.auth.models import Role, UserAccount, UserRegion
from campagne.models import Region
from campagne.notifications.models import NotificationOptOut


def region_staff(session: Session, region_slug: str, kind: str) -> list[UserAccount]:
    """The active staff accounts of a region that may act (not read-only) and did not
    switch ``kind`` off, by e-mail address."""
    opted_out = select(NotificationOptOut.user_id).where(NotificationOptOut.kind == kind)
    return list(session.exec(
        select(UserAccount).join(UserRegion, col(UserRegion.user_id) == col(UserAccount.id))
        .join(Region, col(Region.id) == col(UserRegion.region_id))
        .where(Region.slug == region_slug, UserAccount.role == Role.STAFF.value,
               col(UserAccount.active).is_(True), col(UserAccount.read_only).is_(False),
               col(UserAccount.id).not_in(opted_out))
        .order_by(col(UserAccount.email))).all())


def member_account(session: Session, member_id: int) -> UserAccount | None:
    """The active account of a member, if they have one."""
    return session.exec(select(UserAccount).where(
        UserAccount.member_id == member_id, col(UserAccount.active).is_(True))).first()
