"""Demo inquiries: every stage of each region has some, follow-ups are due today and
overdue, the settled ones belong to demo members, and a second run adds nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select

from campagne.auth.models import UserAccount
from campagne.demo import generate_region_demo
from campagne.features.pipeline.demo import seed_pipeline
from campagne.models import Member, Region
from campagne.operations.models import Inquiry, Interaction
from campagne.operations.timeline import programme_today
from campagne.testing import RegionKit


def test_demo_inquiries_fill_every_stage(db_kit: RegionKit,
                                         reference_paths: list[Path]) -> None:
    instance = db_kit.instance(reference_paths)
    today = programme_today()
    try:
        with Session(instance.engine) as session:
            for slug in instance.regions:
                region = session.exec(select(Region).where(Region.slug == slug)).one()
                generate_region_demo(instance, session, region)
            session.commit()
            for slug, folder in instance.regions.items():
                region = session.exec(select(Region).where(Region.slug == slug)).one()
                rows = session.exec(select(Inquiry).where(Inquiry.region_id == region.id)).all()
                assert {r.stage for r in rows} == {s.key for s in folder.config.pipeline.stages}
                assert all(r.synthetic for r in rows)
                open_rows = [r for r in rows if folder.config.pipeline.stage(r.stage).open]  # type: ignore[union-attr]
                assert any(r.next_action_on == today for r in open_rows), slug
                assert any(r.next_action_on and r.next_action_on < today for r in open_rows)
                settled = [r for r in rows if r.stage == "settled"]
                for row in settled:
                    member = session.get(Member, row.member_id)
                    assert member and (member.first_name, member.last_name) == (
                        row.first_name, row.last_name)
                    assert member.status == "settled"
                history = session.exec(select(func.count()).select_from(Interaction).where(
                    col(Interaction.inquiry_id).in_([r.id for r in rows]))).one()
                assert history > len(rows)
                assert seed_pipeline(session, region, folder.config) == 0
            advisors = session.exec(select(UserAccount).where(
                col(UserAccount.email).like("conseil-%@demo.example.org"))).all()
            assert len(advisors) == 4 and all(a.password_hash is None for a in advisors)
    finally:
        instance.engine.dispose()
