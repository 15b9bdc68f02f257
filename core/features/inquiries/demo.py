"""Synthetic inquiries for the demo: people thinking of moving who wrote to each programme
in the last months. Every one is marked ``synthetic``; names come from Faker (fr_FR, fixed
seed), addresses are at intake.example.org: that domain tells them apart from other demo
inquiries (such as the pipeline's), so each seeding stays idempotent on its own."""

from __future__ import annotations

import datetime as dt
import random

from faker import Faker
from sqlalchemy import func
from sqlmodel import Session, col, select

from campagne.config import RegionConfig
from campagne.features.inquiries.form import DEFAULT_CONSENT, HEARD_FROM, STATUSES, TIMINGS
from campagne.features.inquiries.intake import entry_stage
from campagne.models import Region, utc_now
from campagne.operations.models import Inquiry, InquirySource
from campagne.taxonomy import SECTORS

SEED = 61_32
DEMO_INQUIRIES = 12
DEMO_DOMAIN = "intake.example.org"
ORIGINS = [("Île-de-France", "75"), ("Île-de-France", "92"), ("Île-de-France", "93"),
           ("Auvergne-Rhône-Alpes", "69"), ("Nouvelle-Aquitaine", "33"), ("Occitanie", "31"),
           ("Pays de la Loire", "44"), ("Hauts-de-France", "59"), ("Belgique", None),
           ("Royaume-Uni", None)]
ACTIVITIES = ["Développeuse web", "Consultant en stratégie", "Graphiste", "Traducteur",
              "Formatrice", "Architecte", "Photographe", "Rédactrice", "Comptable"]


def generate_region_inquiries(session: Session, region: Region, config: RegionConfig,
                              count: int = DEMO_INQUIRIES) -> int:
    """Add ``count`` synthetic inquiries to ``region`` unless they are there; return how many."""
    existing = session.exec(select(func.count()).where(
        Inquiry.region_id == region.id, col(Inquiry.email).like(f"%@{DEMO_DOMAIN}"))).one()
    if existing:
        return 0
    assert region.id is not None
    rng = random.Random(f"{SEED}-{config.slug}")  # noqa: S311 - reproducible demo data
    fake = Faker("fr_FR")
    fake.seed_instance(f"{SEED}-inquiries-{config.slug}")
    today = utc_now()
    for _ in range(count):
        area, department = rng.choice(ORIGINS)
        sent = today - dt.timedelta(days=rng.randrange(0, 120), hours=rng.randrange(0, 24))
        session.add(Inquiry(
            region_id=region.id, first_name=fake.first_name(), last_name=fake.last_name(),
            email=f"{fake.user_name()}.{rng.randrange(10**6)}@{DEMO_DOMAIN}",
            phone=fake.phone_number() if rng.random() < 0.6 else None,
            origin_area=area, origin_department=department, activity=rng.choice(ACTIVITIES),
            sector_slug=rng.choice(SECTORS).slug, status=rng.choice(STATUSES)[0],
            timing=rng.choice(TIMINGS)[0], heard_from=rng.choice(HEARD_FROM)[0],
            message=fake.paragraph(nb_sentences=3),
            source=rng.choice([InquirySource.FORM, InquirySource.FORM, InquirySource.API]).value,
            stage=entry_stage(config), stage_changed_at=sent,
            consent_purpose=DEFAULT_CONSENT + " (données de démonstration)",
            consent_given_at=sent, last_contact_at=sent.date(), synthetic=True,
            created_at=sent, updated_at=sent))
    return count
