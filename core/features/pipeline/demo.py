"""Demo inquiries for the staff pipeline: synthetic people spread across the region's stages,
with their history, advisors and next actions (some due today, some overdue), so that the
staff pages look like a programme at work. Inquiries at the settled stage are those of
recent demo members (same name and sector), so that the published figures do not change.

Everything is marked ``synthetic``; the two demo advisors per region are staff accounts
without a password (nobody can sign in with them)."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

from faker import Faker
from sqlalchemy import func
from sqlmodel import Session, col, select

from campagne.auth.accounts import create_account, find_account
from campagne.auth.models import Role, UserAccount
from campagne.config import PipelineStage, RegionConfig
from campagne.models import Member, MemberStatus, Region, utc_now
from campagne.operations.models import Inquiry, Interaction, InteractionKind
from campagne.operations.timeline import programme_today
from campagne.settings import CampagneSettings
from campagne.taxonomy import SECTORS

SEED = 32_61
ORIGINS = [("Île-de-France", "75"), ("Île-de-France", "92"), ("Île-de-France", "94"),
           ("Occitanie", "31"), ("Nouvelle-Aquitaine", "33"), ("Auvergne-Rhône-Alpes", "69"),
           ("Hauts-de-France", "59"), ("Provence-Alpes-Côte d'Azur", "13"),
           ("Belgique", None), ("Royaume-Uni", None)]
ACTIVITIES = ["Consultante en stratégie", "Développeur web indépendant", "Graphiste",
              "Formateur en management", "Traductrice technique", "Architecte",
              "Chef de projet informatique en télétravail", "Photographe",
              "Créatrice d'une boutique en ligne", "Expert-comptable"]
TIMINGS = ["Dans les 3 mois", "Dans les 6 mois", "Dans l'année", "Pas encore décidé"]
HEARD = ["Salon à Paris", "Article de presse", "Bouche à oreille", "Site internet",
         "Réseaux sociaux"]
NEXT_ACTIONS = ["Rappeler pour faire le point", "Envoyer la liste des logements",
                "Proposer une date de visite", "Relancer pour le plan de financement",
                "Présenter un ambassadeur du comité d'accueil", "Organiser un rendez-vous CCI"]
CONTACTS = [(InteractionKind.CALL, "Premier échange téléphonique : projet et calendrier."),
            (InteractionKind.EMAIL, "Envoi de la documentation du programme."),
            (InteractionKind.MEETING, "Rendez-vous avec le conseiller : statut et financement."),
            (InteractionKind.VISIT, "Visite de villages et d'un télécentre."),
            (InteractionKind.NOTE, "Attend la réponse de son employeur pour le télétravail.")]


def seed_pipeline(session: Session, region: Region, config: RegionConfig) -> int:
    """Add demo inquiries to ``region`` unless it has some already; return how many."""
    if session.exec(select(func.count()).where(Inquiry.region_id == region.id)).one():
        return 0
    assert region.id is not None
    rng = random.Random(f"{SEED}-{config.slug}-pipeline")  # noqa: S311 - demo data
    fake = Faker("fr_FR")
    fake.seed_instance(f"{SEED}-{config.slug}-pipeline")
    advisors = _advisors(session, config.slug)
    recent = list(session.exec(select(Member).where(
        Member.region_id == region.id, Member.status == MemberStatus.SETTLED.value,
        col(Member.arrival_date).is_not(None))
        .order_by(col(Member.arrival_date).desc(), col(Member.id)).limit(10)).all())
    created = 0
    for index, stage in enumerate(config.pipeline.stages):
        count = 3 if stage.settled else 2 if stage.closed else max(6 - index, 3)
        for _ in range(count):
            member = recent.pop(0) if stage.settled and recent else None
            _add(session, region.id, config, stage, index, fake, rng, advisors, member)
            created += 1
    return created


def _advisors(session: Session, slug: str) -> list[int]:
    names = Faker("fr_FR")  # apart from the inquiries' generator: their people stay the same
    names.seed_instance(f"{SEED}-{slug}-advisors")
    ids = []
    for number in (1, 2):
        email = f"conseil-{number}.{slug}@demo.example.org"
        name = f"{names.first_name()} {names.last_name()}"
        account = find_account(session, email) or create_account(
            session, CampagneSettings(), email=email, role=Role.STAFF, regions=[slug],
            name=name)
        ids.append(_id(account))
    return ids


def _id(account: UserAccount) -> int:
    assert account.id is not None
    return account.id


def _add(session: Session, region_id: int, config: RegionConfig, stage: PipelineStage,
         index: int, fake: Faker, rng: random.Random, advisors: list[int],
         member: Member | None) -> None:
    now, today = utc_now(), programme_today()
    age = 1 + rng.randrange(0, 6) if index == 0 else 8 + index * 12 + rng.randrange(0, 12)
    if member is not None and member.arrival_date is not None:  # they settled on arrival
        arrived = dt.datetime.combine(member.arrival_date, dt.time(10), tzinfo=dt.UTC)
        now = min(now, arrived)
    received = now - dt.timedelta(days=age, hours=rng.randrange(0, 8))
    origin, department = rng.choice(ORIGINS)
    first, last = (member.first_name, member.last_name) if member else (
        fake.first_name(), fake.last_name())
    advisor = rng.choice(advisors) if index or rng.random() < 0.5 else None
    inquiry = Inquiry(
        region_id=region_id, first_name=first, last_name=last,
        email=member.email if member else f"{fake.user_name()}.{rng.randrange(10**6)}@example.org",
        phone=fake.phone_number(), origin_area=origin, origin_department=department,
        activity=rng.choice(ACTIVITIES),
        sector_slug=member.sector_slug if member else rng.choice(SECTORS).slug,
        status=rng.choice(["employee_teleworker", "independent", "founder"]),
        timing=rng.choice(TIMINGS), heard_from=rng.choice(HEARD),
        message="Nous aimerions quitter la ville pour la campagne et garder notre travail.",
        profile=_profile(rng), stage=stage.key,
        stage_changed_at=received + dt.timedelta(days=min(age - 1, 2 + index * 5)),
        advisor_id=advisor, member_id=member.id if member else None,
        converted_at=received + dt.timedelta(days=age - 2) if member else None,
        settled_at=received + dt.timedelta(days=age - 1) if stage.settled else None,
        consent_purpose="Traitement de la demande (données de démonstration)",
        consent_given_at=received, synthetic=True, created_at=received, updated_at=received)
    if stage.open:
        inquiry.next_action = rng.choice(NEXT_ACTIONS)
        inquiry.next_action_on = today + dt.timedelta(days=rng.choice(
            [-4, -2, -1, 0, 0, 0, 1, 3, 7, 12]))
    session.add(inquiry)
    session.flush()
    _history(session, config, inquiry, index, received, rng, advisor)


def _profile(rng: random.Random) -> dict[str, Any]:
    car = rng.random() < 0.4
    return {"household_size": rng.choice([1, 2, 2, 3, 4]),
            "commute_minutes_one_way": rng.choice([35, 45, 55, 70]),
            "commute_km_one_way": rng.choice([12, 20, 30]) if car else 15,
            "commute_mode": "car" if car else "public_transport",
            "commute_days_per_week": rng.choice([3, 4, 5]),
            "housing_budget_eur": rng.choice([180_000, 250_000, 320_000]),
            "housing_kind": "buy"}


def _history(session: Session, config: RegionConfig, inquiry: Inquiry, index: int,
             received: dt.datetime, rng: random.Random, advisor: int | None) -> None:
    """A call, then one stage change and one contact per stage passed; the conversion."""
    at = received + dt.timedelta(hours=20)
    stages = config.pipeline.stages
    path = [s for s in stages[: index + 1] if s.open or s is stages[index]]
    rows = [Interaction(kind=CONTACTS[0][0].value, at=at, summary=CONTACTS[0][1])
            ] if index else []
    for previous, current in itertools.pairwise(path):
        at += dt.timedelta(days=rng.randrange(2, 6))
        kind, summary = CONTACTS[min(len(rows), len(CONTACTS) - 1)]
        rows.append(Interaction(kind=kind.value, at=at, summary=summary))
        at += dt.timedelta(hours=2)
        rows.append(Interaction(kind=InteractionKind.STAGE.value, at=at,
                                summary=f"{previous.key} → {current.key}",
                                detail={"from": previous.key, "to": current.key}))
    if inquiry.member_id is not None:
        rows.append(Interaction(kind=InteractionKind.CONVERSION.value, at=at,
                                detail={"member_id": inquiry.member_id}))
    for row in rows:
        row.inquiry_id, row.member_id, row.author_id = inquiry.id, inquiry.member_id, advisor
        session.add(row)
