"""``campagne demo`` seeds synthetic inquiries per region: marked synthetic, at the first
stage, recent, reproducible, and seeded once."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, col, select

from campagne.demo import generate_region_demo
from campagne.features.inquiries.demo import DEMO_DOMAIN, DEMO_INQUIRIES, generate_region_inquiries
from campagne.models import Region, utc_now
from campagne.operations.models import Inquiry
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit


def test_demo_inquiries_are_synthetic_recent_and_seeded_once(tmp_path: Path) -> None:
    instance = RegionKit(tmp_path).instance(reference_region_paths())
    try:
        with Session(instance.engine) as session:
            for slug, folder in instance.regions.items():
                region = session.exec(select(Region).where(Region.slug == slug)).one()
                generate_region_demo(instance, session, region)
                assert generate_region_inquiries(session, region, folder.config) == 0
            session.commit()
            everything = session.exec(select(Inquiry).order_by(col(Inquiry.id))).all()
            assert all(row.synthetic for row in everything)
            # The pipeline's demo adds inquiries of its own, at every stage; these are the
            # public form's.
            rows = [row for row in everything
                    if row.email and row.email.endswith(f"@{DEMO_DOMAIN}")]
            assert len(rows) == 2 * DEMO_INQUIRIES
            assert all(row.synthetic and row.stage == "new" and row.consent_given_at
                       for row in rows)
            assert all(row.email and row.email.endswith(f"@{DEMO_DOMAIN}") for row in rows)
            assert all((utc_now().date() - row.created_at.date()).days <= 121 for row in rows)
            assert {row.source for row in rows} <= {"form", "api"}
            assert len({row.status for row in rows}) > 1 and len({row.timing for row in rows}) > 1
    finally:
        instance.engine.dispose()
