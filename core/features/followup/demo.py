"""Synthetic follow-up for the demo: milestones of members' projects and the services of
the matching kind delivered shortly before (help with the business plan, with financing...).
Reproducible (fixed seed per region); shares are illustrative, not the programmes' figures."""

from __future__ import annotations

import datetime as dt
import random

from sqlmodel import Session, col, select

from campagne.features.followup.models import Milestone, MilestoneKind
from campagne.models import Member, MemberStatus, Region, Service, ServiceUse

SEED = "32-61-followup"
#: Share of members who reached each milestone, and how long after arrival (days, range).
PLAN: dict[str, tuple[float, int, int]] = {
    MilestoneKind.BUSINESS_PLAN.value: (0.55, 20, 200),
    MilestoneKind.FINANCING.value: (0.35, 60, 400),
    MilestoneKind.WORKSPACE_FOUND.value: (0.45, 10, 300),
    MilestoneKind.BUSINESS_REGISTERED.value: (0.40, 90, 500),
}
#: The category of service that leads to a milestone, delivered a few weeks before it.
SERVICE_FOR: dict[str, str] = {
    MilestoneKind.BUSINESS_PLAN.value: "business_plan",
    MilestoneKind.FINANCING.value: "financing",
    MilestoneKind.WORKSPACE_FOUND.value: "coworking",
    MilestoneKind.BUSINESS_REGISTERED.value: "legal_admin_advice",
}
NOTES = ("Relu avec le conseiller (démonstration)", "Étape validée en rendez-vous",
         None, None)


def seed_followup(session: Session, region: Region, today: dt.date | None = None) -> int:
    """Add milestones (and the services behind them) for the region's demo members, unless
    the region has milestones already; return how many milestones were added."""
    today = today or dt.date.today()
    if session.exec(select(Milestone.id).join(Member, col(Member.id) == col(Milestone.member_id))
                    .where(Member.region_id == region.id)).first() is not None:
        return 0
    rng = random.Random(f"{SEED}-{region.slug}")  # noqa: S311 - demo data, not secrets
    services = {service.category: service for service in session.exec(
        select(Service).where(Service.region_id == region.id, col(Service.active).is_(True))
        .order_by(col(Service.slug)))}
    members = session.exec(select(Member).where(
        Member.region_id == region.id, col(Member.synthetic).is_(True),
        col(Member.status).in_((MemberStatus.SETTLING.value, MemberStatus.SETTLED.value)))
        .order_by(col(Member.id))).all()
    added = 0
    for member in members:
        if member.arrival_date is None:
            continue
        for kind, (share, earliest, latest) in PLAN.items():
            reached = member.arrival_date + dt.timedelta(days=rng.randint(earliest, latest))
            if rng.random() >= share or reached > today:
                continue
            assert member.id is not None
            session.add(Milestone(member_id=member.id, kind=kind, reached_on=reached,
                                  note=rng.choice(NOTES)))
            service = services.get(SERVICE_FOR[kind])
            if service is not None and service.id is not None:
                session.add(ServiceUse(member_id=member.id, service_id=service.id,
                                       used_on=reached - dt.timedelta(days=rng.randint(7, 45)),
                                       advisor="Conseiller de démonstration"))
            added += 1
    session.flush()
    return added
