"""Synthetic demo members whose aggregates match each region's published figures.

Every generated person is marked ``synthetic``: names come from Faker (fr_FR,
fixed seed), so the same demo is generated on every machine.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from faker import Faker
from sqlalchemy import func
from sqlmodel import Session, col, select

from campagne.config import RegionConfig
from campagne.instance import Instance
from campagne.models import Member, MemberStatus, Region, Service, ServiceUse, utc_now
from campagne.taxonomy import SECTORS

SEED = 32_61
DEFAULT_MEMBERS = 100
LEFT_SHARE = 0.12  # share of former members added beside current ones (illustrative)
COMMUNES = {
    "32": ["Auch", "Condom", "Fleurance", "L'Isle-Jourdain", "Lectoure", "Mirande", "Eauze",
           "Nogaro", "Vic-Fezensac", "Samatan", "Gimont", "Marciac", "Riscle", "Masseube",
           "Mauvezin", "Lombez", "Saramon", "Montréal", "Plaisance", "Valence-sur-Baïse"],
    "61": ["Alençon", "Flers", "Argentan", "L'Aigle", "Bellême", "Boitron",
           "Mortagne-au-Perche", "Domfront en Poiraie", "Sées", "Vimoutiers", "La Ferté-Macé",
           "Bagnoles de l'Orne Normandie", "Gacé", "Rémalard en Perche", "Tinchebray-Bocage"],
}
ORIGINS = [("Île-de-France", "FR", 40), ("Occitanie", "FR", 10),
           ("Nouvelle-Aquitaine", "FR", 8), ("Auvergne-Rhône-Alpes", "FR", 8),
           ("Hauts-de-France", "FR", 5), ("Normandie", "FR", 5),
           ("Provence-Alpes-Côte d'Azur", "FR", 5), ("Royaume-Uni", "GB", 7),
           ("Belgique", "BE", 5), ("Pays-Bas", "NL", 4), ("Allemagne", "DE", 3)]


def sector_targets(config: RegionConfig) -> dict[str, int]:
    """How many current members of each sector to generate, from the published figures."""
    total_figure = config.figure("members")
    total = int(total_figure.value) if total_figure else DEFAULT_MEMBERS
    fixed = {f.sector: int(f.value) for f in config.figures if f.sector}
    rest = [s.slug for s in SECTORS if s.slug not in fixed]
    remaining = max(total - sum(fixed.values()), 0)
    share, extra = divmod(remaining, len(rest))
    targets = dict(fixed)
    for index, slug in enumerate(rest):
        targets[slug] = share + (1 if index < extra else 0)
    return targets


def generate_region_members(session: Session, region: Region, config: RegionConfig) -> int:
    """Add demo members to ``region`` unless it has members already; return how many
    (the features' demo data is :func:`generate_region_demo`'s)."""
    existing = session.exec(select(func.count()).where(Member.region_id == region.id)).one()
    if existing:
        return 0
    assert region.id is not None
    rng = random.Random(f"{SEED}-{config.slug}")  # noqa: S311 - reproducible demo data, not secrets
    fake = Faker("fr_FR")
    fake.seed_instance(f"{SEED}-{config.slug}")
    services = session.exec(select(Service).where(Service.region_id == region.id,
                                                  col(Service.active).is_(True))).all()
    created = 0
    for sector, count in sector_targets(config).items():
        for _ in range(count):
            created += _add_member(session, region.id, config, sector, fake, rng, services,
                                   left=False)
        for _ in range(round(count * LEFT_SHARE)):
            created += _add_member(session, region.id, config, sector, fake, rng, services,
                                   left=True)
    session.flush()
    return created


def generate_region_demo(instance: Instance, session: Session, region: Region) -> int:
    """Fill ``region`` with demo data unless it has members already: the demo members,
    then what each enabled feature and plug-in adds (hook ``demo_data``: inquiries,
    meetups, workspaces...). Return how many members were added."""
    folder = instance.regions[region.slug]
    created = generate_region_members(session, region, folder.config)
    if created:
        instance.plugins.demo_data(folder.info(), session)
    return created


def _add_member(session: Session, region_id: int, config: RegionConfig, sector: str,
                fake: Faker, rng: random.Random, services: Sequence[Service], *,
                left: bool) -> int:
    origin, country, _ = rng.choices(ORIGINS, weights=[o[2] for o in ORIGINS])[0]
    arrival = dt.date(2006, 1, 1) + dt.timedelta(days=rng.randrange(0, 20 * 365))
    first, last = fake.first_name(), fake.last_name()
    status = MemberStatus.LEFT if left else (
        MemberStatus.SETTLING if arrival.year >= 2025 else MemberStatus.SETTLED)
    member = Member(
        region_id=region_id, first_name=first, last_name=last,
        email=f"{fake.user_name()}.{rng.randrange(10**6)}@example.org",
        phone=fake.phone_number(), business_name=fake.company(),
        siret=fake.siret().replace(" ", ""), sector_slug=sector,
        commune=rng.choice(COMMUNES.get(config.code) or [fake.city()]),
        origin_area=origin, origin_country=country, arrival_date=arrival,
        left_on=arrival + dt.timedelta(days=rng.randrange(200, 1500)) if left else None,
        status=status.value, consent_purpose="Suivi du programme (données de démonstration)",
        consent_given_at=dt.datetime.combine(arrival, dt.time(10), tzinfo=dt.UTC), synthetic=True,
        created_at=utc_now(), updated_at=utc_now(),
    )
    session.add(member)
    session.flush()
    assert member.id is not None
    for service in rng.sample(services, k=min(len(services), rng.randint(1, 4))):
        assert service.id is not None
        session.add(ServiceUse(
            member_id=member.id, service_id=service.id,
            used_on=arrival + dt.timedelta(days=rng.randrange(0, 365)),
            advisor=fake.first_name()))
    return 1
