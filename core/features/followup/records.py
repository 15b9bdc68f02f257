"""Follow-up of a member's professional project: milestones reached with an advisor, and
the services of the region's catalogue delivered to the member. The callers check the
region and audit; functions here never commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from campagne.auth.models import Role, UserAccount, UserRegion
from campagne.features.followup.models import Milestone
from campagne.features.followup.schemas import FollowUpOut, MilestoneOut, ServiceUseOut
from campagne.models import Member, Region, Service, ServiceUse
from campagne.operations.timeline import account_names
from campagne.plugin_types import MemberEvent
from campagne.taxonomy import MILESTONES

MILESTONE_LABELS = MILESTONES


class AlreadyRecorded(Exception):
    """The member already has a milestone of that kind."""


def region_advisors(session: Session, region_slug: str) -> list[UserAccount]:
    """The active staff accounts of a region (read-only ones included), by e-mail."""
    return list(session.exec(
        select(UserAccount).join(UserRegion, col(UserRegion.user_id) == col(UserAccount.id))
        .join(Region, col(Region.id) == col(UserRegion.region_id))
        .where(Region.slug == region_slug, UserAccount.role == Role.STAFF.value,
               col(UserAccount.active).is_(True))
        .order_by(col(UserAccount.email))).all())


def is_region_advisor(session: Session, region_slug: str, account_id: int) -> bool:
    """True when ``account_id`` is an active staff account of the region."""
    return any(account.id == account_id for account in region_advisors(session, region_slug))


def catalogue_service(session: Session, region_slug: str, slug: str) -> Service | None:
    """An active service of the region's catalogue (from ``region.yaml`` or a plug-in)."""
    return session.exec(
        select(Service).join(Region, col(Region.id) == col(Service.region_id))
        .where(Region.slug == region_slug, Service.slug == slug,
               col(Service.active).is_(True))).first()


def catalogue(session: Session, region_slug: str) -> list[Service]:
    """The region's active services, by category then slug (for the staff form)."""
    return list(session.exec(
        select(Service).join(Region, col(Region.id) == col(Service.region_id))
        .where(Region.slug == region_slug, col(Service.active).is_(True))
        .order_by(col(Service.category), col(Service.slug))).all())


def _emails(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(UserAccount.id, UserAccount.email)
                        .where(col(UserAccount.id).in_(ids))).all()
    return {int(account_id): email for account_id, email in rows if account_id is not None}


def milestones_of(session: Session, member_id: int) -> list[Milestone]:
    """A member's milestones, in the order they were reached."""
    return list(session.exec(select(Milestone).where(Milestone.member_id == member_id)
                             .order_by(col(Milestone.reached_on), col(Milestone.id))).all())


def services_of(session: Session, member_id: int) -> list[tuple[ServiceUse, Service]]:
    """The services delivered to a member, the latest first."""
    rows = session.exec(
        select(ServiceUse, Service).join(Service, col(Service.id) == col(ServiceUse.service_id))
        .where(ServiceUse.member_id == member_id)
        .order_by(col(ServiceUse.used_on).desc(), col(ServiceUse.id).desc())).all()
    return [(use, service) for use, service in rows]


def milestone_out(milestone: Milestone, emails: dict[int, str]) -> MilestoneOut:
    """The API shape of a milestone."""
    assert milestone.id is not None
    return MilestoneOut(id=milestone.id, kind=milestone.kind, reached_on=milestone.reached_on,
                        advisor_id=milestone.advisor_id, note=milestone.note,
                        advisor=emails.get(milestone.advisor_id or 0))


def service_use_out(use: ServiceUse, service: Service, emails: dict[int, str]) -> ServiceUseOut:
    """The API shape of a service delivered."""
    assert use.id is not None
    return ServiceUseOut(id=use.id, service=service.slug, category=service.category,
                         name=service.name, used_on=use.used_on, advisor_id=use.advisor_id,
                         advisor=emails.get(use.advisor_id or 0, use.advisor))


def describe_milestone(session: Session, milestone: Milestone) -> MilestoneOut:
    """One milestone with its advisor's e-mail address."""
    return milestone_out(milestone, _emails(session, {milestone.advisor_id or 0}))


def describe_service_use(session: Session, use: ServiceUse, service: Service) -> ServiceUseOut:
    """One service delivered with its advisor's e-mail address."""
    return service_use_out(use, service, _emails(session, {use.advisor_id or 0}))


def follow_up(session: Session, member: Member, region_slug: str, *,
              by_name: bool = False) -> FollowUpOut:
    """A member's milestones and services delivered; ``advisor`` is each advisor's e-mail
    address (the API's), or with ``by_name`` the name the pages show."""
    assert member.id is not None
    milestones = milestones_of(session, member.id)
    services = services_of(session, member.id)
    lookup = account_names if by_name else _emails
    emails = lookup(session, {m.advisor_id for m in milestones if m.advisor_id}
                    | {u.advisor_id for u, _ in services if u.advisor_id})
    return FollowUpOut(member_id=member.id, region=region_slug,
                       milestones=[milestone_out(m, emails) for m in milestones],
                       services=[service_use_out(u, s, emails) for u, s in services])


def add_milestone(session: Session, member: Member, *, kind: str, reached_on: dt.date,
                  advisor_id: int | None, note: str | None) -> Milestone:
    """Record a milestone; :class:`AlreadyRecorded` when the member has one of that kind."""
    assert member.id is not None
    if find_milestone_kind(session, member.id, kind) is not None:
        raise AlreadyRecorded(kind)
    milestone = Milestone(member_id=member.id, kind=kind, reached_on=reached_on,
                          advisor_id=advisor_id, note=note or None)
    session.add(milestone)
    session.flush()
    return milestone


def find_milestone_kind(session: Session, member_id: int, kind: str) -> Milestone | None:
    """The member's milestone of ``kind``, if recorded."""
    return session.exec(select(Milestone).where(Milestone.member_id == member_id,
                                                Milestone.kind == kind)).first()


def change_milestone(session: Session, milestone: Milestone, values: dict[str, Any]) -> None:
    """Apply a correction; :class:`AlreadyRecorded` when the new kind is taken."""
    kind = values.get("kind")
    if kind not in (None, milestone.kind) and find_milestone_kind(
            session, milestone.member_id, kind) is not None:
        raise AlreadyRecorded(kind)
    for name, value in values.items():
        if name == "kind" and value is None:
            continue  # a milestone always has a kind
        setattr(milestone, name, value)
    session.add(milestone)
    session.flush()


def member_milestone(session: Session, member_id: int, milestone_id: int) -> Milestone | None:
    """One of the member's milestones (``None`` for another member's)."""
    return session.exec(select(Milestone).where(Milestone.id == milestone_id,
                                                Milestone.member_id == member_id)).first()


def member_service_use(session: Session, member_id: int, use_id: int) -> ServiceUse | None:
    """One of the services delivered to the member (``None`` for another member's)."""
    return session.exec(select(ServiceUse).where(ServiceUse.id == use_id,
                                                 ServiceUse.member_id == member_id)).first()


def add_service_use(session: Session, member: Member, service: Service, *, used_on: dt.date,
                    advisor_id: int | None) -> ServiceUse:
    """Record a service delivered to the member."""
    assert member.id is not None and service.id is not None
    use = ServiceUse(member_id=member.id, service_id=service.id, used_on=used_on,
                     advisor_id=advisor_id)
    session.add(use)
    session.flush()
    return use


def service_used_event(region_slug: str, member: Member, service: Service,
                       use: ServiceUse) -> MemberEvent:
    """The event plug-ins receive when a service is delivered (no name: ids, sector and the
    service's slug; ``occurred_at`` is the day of the service, at midnight UTC)."""
    assert member.id is not None
    return MemberEvent(kind="service_used", region_slug=region_slug, member_id=member.id,
                       sector=member.sector_slug, service_slug=service.slug,
                       occurred_at=dt.datetime.combine(use.used_on, dt.time(), tzinfo=dt.UTC))


def export_followup(session: Session, member_id: int) -> dict[str, list[dict[str, Any]]]:
    """A member's milestones and services delivered, JSON-ready (GDPR art. 15 and 20)."""
    return {
        "milestones": [{"kind": m.kind, "reached_on": m.reached_on.isoformat(),
                        "note": m.note} for m in milestones_of(session, member_id)],
        "services_used": [{"service_id": u.service_id, "service": s.slug,
                           "category": s.category, "used_on": u.used_on.isoformat(),
                           "advisor": u.advisor} for u, s in services_of(session, member_id)],
    }


def erase_followup(session: Session, member_id: int) -> None:
    """Forget the notes and advisors of an erased member's follow-up; the kinds and days
    stay, so that the figures do not change (the caller commits)."""
    for milestone in session.exec(select(Milestone).where(Milestone.member_id == member_id)):
        milestone.note = milestone.advisor_id = None
        session.add(milestone)
    for use in session.exec(select(ServiceUse).where(ServiceUse.member_id == member_id)):
        use.advisor = use.advisor_id = None
        session.add(use)
