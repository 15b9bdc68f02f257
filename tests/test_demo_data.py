"""Demo members: synthetic, reproducible, and matching the published figures."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select

from campagne.demo import generate_region_demo, sector_targets
from campagne.models import Member, MemberStatus, Region
from campagne.queries import member_figures
from campagne.testing import RegionKit


def _generate(kit: RegionKit, paths: list[Path]) -> tuple[RegionKit, list[tuple[str, str]]]:
    instance = kit.instance(paths)
    with Session(instance.engine) as session:
        for slug in instance.regions:
            region = session.exec(select(Region).where(Region.slug == slug)).one()
            generate_region_demo(instance, session, region)
        session.commit()
        names = session.exec(select(Member.first_name, Member.last_name)
                             .order_by(col(Member.id))).all()
    instance.engine.dispose()
    return kit, [(first, last) for first, last in names]


def test_gers_aggregates_equal_the_published_figures(db_kit: RegionKit,
                                                     reference_paths: list[Path]) -> None:
    _generate(db_kit, reference_paths)
    instance = db_kit.instance(reference_paths)
    with Session(instance.engine) as session:
        figures = member_figures(session, "gers")
        synthetic = session.exec(select(func.count()).where(col(Member.synthetic).is_(False))).one()
        left = session.exec(select(func.count())
                            .where(Member.status == MemberStatus.LEFT.value)).one()
    assert figures.total == 350
    assert figures.by_sector["audit_consulting_training"] == 70
    assert figures.by_sector["it_internet_ecommerce"] == 57
    assert synthetic == 0, "every demo member must be marked synthetic"
    assert left > 0, "former members exist but are not counted"
    instance.engine.dispose()


def test_generation_is_reproducible_and_idempotent(tmp_path: Path,
                                                   reference_paths: list[Path]) -> None:
    _, first = _generate(RegionKit(tmp_path / "a"), reference_paths)
    kit, second = _generate(RegionKit(tmp_path / "b"), reference_paths)
    assert first == second
    _, again = _generate(kit, reference_paths)
    assert again == second, "a second run adds nobody"


def test_sector_targets_spread_the_rest_evenly(reference_paths: list[Path]) -> None:
    from campagne.regions import load_region_folder

    gers = load_region_folder(reference_paths[0]).config
    targets = sector_targets(gers)
    assert sum(targets.values()) == 350
    others = [count for sector, count in targets.items()
              if sector not in {"audit_consulting_training", "it_internet_ecommerce"}]
    assert max(others) - min(others) <= 1
