"""Demo meetups: for each region, three past monthly meetups with attendance, and three to
come (one with places left, one full with a waiting list, one cancelled), with synthetic
sign-ups of demo members and guests (Faker names, ``example.org`` addresses). Dates follow
today's, so the demo always has meetups to come. Seeded: the same on every machine."""

from __future__ import annotations

import datetime as dt
import random

from faker import Faker
from sqlalchemy import func
from sqlmodel import Session, select

from campagne.config import RegionConfig
from campagne.features.meetups.models import Meetup, Registration
from campagne.features.meetups.rules import CONFIRMED, PARIS, WAITLISTED
from campagne.models import Member, Region, utc_now

SEED = "meetups-32-61"
THEMES = [
    ("Trouver ses premiers clients", "Prospection et réseau local"),
    ("Financer son projet", "Prêts d'honneur, banques et aides régionales"),
    ("Choisir son statut", "Micro-entreprise, société ou portage salarial"),
    ("Travailler en tiers-lieu", "Bureaux partagés, télécentres et coworking"),
    ("Vendre en ligne depuis la campagne", "Commerce électronique et logistique"),
    ("Concilier travail et vie de famille", "Organisation du télétravail au quotidien"),
]
PLACES = {"32": ["La Dynamo, Auch", "Télécentre de Fleurance", "Mairie de Marciac"],
          "61": ["Télécentre de Bellême", "Espace de coworking de Boitron",
                 "CCI, Alençon"]}
# (months from now, capacity, sign-ups, cancelled): past ones first.
PLAN = [(-3, 25, 18, False), (-2, 20, 20, False), (-1, 30, 22, False),
        (1, 25, 9, False), (2, 12, 16, False), (3, 20, 4, True)]


def first_thursday(month_offset: int, today: dt.date) -> dt.datetime:
    """The first Thursday of the month ``month_offset`` months from ``today``'s, 18:30
    in Paris."""
    index = today.year * 12 + today.month - 1 + month_offset
    day = dt.date(index // 12, index % 12 + 1, 1)
    day += dt.timedelta(days=(3 - day.weekday()) % 7)
    return dt.datetime.combine(day, dt.time(18, 30), tzinfo=PARIS)


def generate_region_meetups(session: Session, region: Region, config: RegionConfig) -> int:
    """Add the demo meetups of ``region`` unless it has meetups already; return how many."""
    if session.exec(select(func.count()).select_from(Meetup)
                    .where(Meetup.region_id == region.id)).one():
        return 0
    assert region.id is not None
    rng = random.Random(f"{SEED}-{config.slug}")  # noqa: S311 - reproducible demo data
    fake = Faker("fr_FR")
    fake.seed_instance(f"{SEED}-{config.slug}")
    members = list(session.exec(select(Member.id).where(
        Member.region_id == region.id, Member.status != "left")).all())
    places = PLACES.get(config.code) or [f"CCI, {config.name}"]
    today = dt.datetime.now(PARIS).date()
    for number, (months, capacity, sign_ups, cancelled) in enumerate(PLAN):
        title, theme = THEMES[(number + today.month) % len(THEMES)]
        starts = first_thursday(months, today)
        meetup = Meetup(
            region_id=region.id, uid=f"demo-{config.slug}-{rng.getrandbits(96):024x}@campagne",
            title=title, theme=theme, starts_at=starts, ends_at=starts + dt.timedelta(hours=2),
            place=rng.choice(places), capacity=capacity,
            description="Rencontre de démonstration\u00a0: les inscriptions sont fictives.",
            cancelled_at=starts - dt.timedelta(days=10) if cancelled else None,
            sequence=1 if cancelled else 0, created_at=starts - dt.timedelta(days=40))
        session.add(meetup)
        session.flush()
        _sign_ups(session, meetup, sign_ups, rng, fake, members, past=months < 0)
    return len(PLAN)


def _sign_ups(session: Session, meetup: Meetup, count: int, rng: random.Random, fake: Faker,
              members: list[int | None], *, past: bool) -> None:
    """``count`` synthetic sign-ups, a third of them guests, in order of arrival."""
    assert meetup.id is not None
    chosen = rng.sample(members, k=min(len(members), count - count // 3))
    people: list[int | None] = [*chosen, *[None] * (count - len(chosen))]
    rng.shuffle(people)
    at = min(meetup.created_at + dt.timedelta(days=1), utc_now())
    for index, member_id in enumerate(people):
        status = CONFIRMED if index < meetup.capacity else WAITLISTED
        at += dt.timedelta(hours=rng.randint(1, 20))
        guest = member_id is None
        session.add(Registration(
            meetup_id=meetup.id, member_id=member_id,
            guest_name=fake.name() if guest else None,
            guest_email=f"invite.{rng.randrange(10**6)}@example.org" if guest else None,
            status=status, created_at=min(at, utc_now()),
            attended=(rng.random() < 0.85) if past and status == CONFIRMED else None))
    session.flush()
