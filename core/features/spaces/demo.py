"""Demo spaces and synthetic desk bookings for the reference regions.

The Gers lends offices with broadband free to Soho Solo members (the seed article); the
Orne's spaces are coworking spaces of a partner network. Every name and address here is
invented and says so ("exemple"); Orne prices are illustrative. Bookings go to synthetic
members only, from eight weeks ago to two weeks ahead, never beyond a space's seats."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from campagne.features.spaces.bookings import today
from campagne.features.spaces.models import Booking, BookingSlot, Space
from campagne.models import Member, MemberStatus, Region

SEED = "spaces-32-61"
PAST_DAYS, AHEAD_DAYS = 56, 14


@dataclass(frozen=True)
class DemoSpace:
    """One example space: name, commune, postcode, position, seats, speed, price."""

    name: str
    commune: str
    postcode: str
    latitude: float
    longitude: float
    seats: int
    mbps: int
    price: float | None = None


WEEKDAYS = "lun.-ven. 8 h 30 - 18 h"
SPACES = {
    "gers": [
        DemoSpace("Télécentre d'Auch (exemple)", "Auch", "32000", 43.6465, 0.5855, 8, 100),
        DemoSpace("Bureaux partagés de Fleurance (exemple)", "Fleurance", "32500", 43.8481,
                  0.6631, 4, 30),
        DemoSpace("Télécentre de L'Isle-Jourdain (exemple)", "L'Isle-Jourdain", "32600",
                  43.6136, 1.0814, 6, 100),
        DemoSpace("Télécentre de Marciac (exemple)", "Marciac", "32230", 43.5253, 0.1606, 3,
                  20),
    ],
    "orne": [
        DemoSpace("Coworking du Perche (exemple)", "Bellême", "61130", 48.3753, 0.5603, 10,
                  100, 10.0),
        DemoSpace("Tiers-lieu de Boitron (exemple)", "Boitron", "61500", 48.5569, 0.2792, 6,
                  50, 8.0),
        DemoSpace("Espace partagé d'Alençon (exemple)", "Alençon", "61000", 48.4322, 0.0913,
                  12, 300, 15.0),
    ],
}


def generate_region_spaces(session: Session, region: Region) -> int:
    """Add the example spaces of a reference region and synthetic bookings, unless the
    region has spaces already; return how many spaces were added."""
    assert region.id is not None
    examples = SPACES.get(region.slug, [])
    existing = session.exec(select(func.count()).where(Space.region_id == region.id)).one()
    if existing or not examples:
        return 0
    members = list(session.exec(
        select(Member.id).where(Member.region_id == region.id, col(Member.synthetic).is_(True),
                                col(Member.status).in_([MemberStatus.SETTLING.value,
                                                        MemberStatus.SETTLED.value]))
        .order_by(col(Member.id))).all())
    rng = random.Random(f"{SEED}-{region.slug}")  # noqa: S311 - reproducible demo data
    offered_since = dt.datetime.combine(today() - dt.timedelta(days=PAST_DAYS), dt.time(7),
                                        tzinfo=dt.UTC)
    for example in examples:
        space = _space(region.id, example, offered_since)
        session.add(space)
        session.flush()
        assert space.id is not None
        _bookings(session, space, [m for m in members if m is not None], rng)
    return len(examples)


def _space(region_id: int, example: DemoSpace, offered_since: dt.datetime) -> Space:
    free = example.price is None
    return Space(
        region_id=region_id, name=example.name, commune=example.commune,
        address=f"Adresse d'exemple, {example.postcode} {example.commune}",
        latitude=example.latitude, longitude=example.longitude, seats=example.seats,
        broadband_mbps=example.mbps, opening_hours=WEEKDAYS, free_for_members=free,
        price_per_day_eur=example.price, price_illustrative=not free,
        created_at=offered_since, updated_at=offered_since)


def _bookings(session: Session, space: Space, members: list[int], rng: random.Random) -> None:
    """Weekday bookings: some whole days, some mornings, some afternoons, within the seats."""
    assert space.id is not None
    start = today() - dt.timedelta(days=PAST_DAYS)
    for offset in range(PAST_DAYS + AHEAD_DAYS):
        day = start + dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        whole = rng.randint(0, space.seats // 2)
        mornings = rng.randint(0, (space.seats - whole) // 2)
        afternoons = rng.randint(0, (space.seats - whole) // 2)
        count = min(whole + mornings + afternoons, len(members))
        people = rng.sample(members, count)
        slots = ([BookingSlot.DAY] * whole + [BookingSlot.MORNING] * mornings
                 + [BookingSlot.AFTERNOON] * afternoons)[:count]
        made = dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC) - dt.timedelta(
            days=rng.randint(1, 20))
        session.add_all(Booking(space_id=space.id, day=day, slot=slot.value, member_id=person,
                                created_at=made) for person, slot in zip(people, slots,
                                                                         strict=True))
