"""The demo's follow-up: milestones of synthetic members, each after the service of the
matching kind, never in the future, reproducible and added once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlmodel import Session, col, select

from campagne.demo import generate_region_demo
from campagne.features.followup.demo import SERVICE_FOR, seed_followup
from campagne.features.followup.models import Milestone
from campagne.models import Member, Region, Service, ServiceUse
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit


def _demo(folder: Path) -> list[tuple[int, str, dt.date]]:
    instance = RegionKit(folder).instance(reference_region_paths())
    with Session(instance.engine) as session:
        for slug in instance.regions:
            region = session.exec(select(Region).where(Region.slug == slug)).one()
            generate_region_demo(instance, session, region)
        session.commit()
        gers = session.exec(select(Region).where(Region.slug == "gers")).one()
        assert seed_followup(session, gers) == 0, "members followed already are left alone"
        rows = session.exec(select(Milestone, Member).join(
            Member, col(Member.id) == col(Milestone.member_id))
            .order_by(col(Milestone.id))).all()
        assert rows and all(member.synthetic for _, member in rows)
        assert all(m.reached_on <= dt.date.today() for m, _ in rows)
        assert {m.kind for m, _ in rows} == set(SERVICE_FOR)
        for milestone, member in rows[:50]:
            used = session.exec(select(ServiceUse.used_on, Service.category).join(
                Service, col(Service.id) == col(ServiceUse.service_id))
                .where(ServiceUse.member_id == member.id)).all()
            assert any(category == SERVICE_FOR[milestone.kind] and day < milestone.reached_on
                       for day, category in used), milestone.kind
        found = [(m.member_id, m.kind, m.reached_on) for m, _ in rows]
    instance.engine.dispose()
    return found


def test_demo_follow_up_is_plausible_and_reproducible(tmp_path: Path) -> None:
    assert _demo(tmp_path / "a") == _demo(tmp_path / "b")
