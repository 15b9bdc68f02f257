"""The outbox's bound on newsletters: no more than ``newsletter_rate_per_minute`` of them
taken in any minute, by one worker or several, while other e-mails go first and are never
held back. Time is driven by explicit ``now`` arguments: nothing waits."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from campagne.db import make_engine, upgrade
from campagne.outbox.claim import claim
from campagne.outbox.queue import queue_mail
from campagne.settings import CampagneSettings

LEASE = dt.timedelta(seconds=300)
T0 = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An empty database at the newest schema."""
    made = make_engine(database_url)
    upgrade(made)
    yield made
    made.dispose()


def queue(engine: Engine, kind: str, count: int) -> None:
    """Queue ``count`` e-mails of ``kind``, due at T0 (committed)."""
    settings = CampagneSettings()
    with Session(engine) as session:
        for n in range(count):
            mail = queue_mail(session, settings, kind=kind, to=f"{kind}{n}@example.org",
                              subject="Lettre", body="Bonjour\n", region_slug="gers")
            assert mail is not None
            mail.next_attempt_at = T0
        session.commit()


def kinds(engine: Engine, now: dt.datetime, limit: int = 50, rate: int = 2) -> list[str]:
    """The kinds of the e-mails one round takes at ``now``."""
    return [row.kind for row in claim(engine, limit=limit, now=now, lease=LEASE,
                                      bulk_rate=rate)]


def test_newsletters_are_taken_at_the_rate_allowed_per_minute(engine: Engine) -> None:
    queue(engine, "newsletter", 5)
    assert kinds(engine, T0) == ["newsletter"] * 2
    assert kinds(engine, T0 + dt.timedelta(seconds=30)) == []
    queue(engine, "password_reset", 1)  # not held back by the newsletters' budget
    assert kinds(engine, T0 + dt.timedelta(seconds=59)) == ["password_reset"]
    assert kinds(engine, T0 + dt.timedelta(seconds=60)) == ["newsletter"] * 2
    assert kinds(engine, T0 + dt.timedelta(seconds=90)) == []
    assert kinds(engine, T0 + dt.timedelta(seconds=120)) == ["newsletter"]


def test_other_mail_goes_before_newsletters_in_a_round(engine: Engine) -> None:
    queue(engine, "newsletter", 3)
    queue(engine, "meetup_confirmed", 2)
    assert kinds(engine, T0, limit=3, rate=10) == ["meetup_confirmed"] * 2 + ["newsletter"]


def test_two_workers_together_stay_within_the_rate(engine: Engine) -> None:
    queue(engine, "newsletter", 12)
    start = threading.Barrier(2)
    taken: list[list[str]] = []

    def work() -> None:
        start.wait()
        taken.append(kinds(engine, T0, limit=10, rate=3))

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sum(len(batch) for batch in taken) == 3
