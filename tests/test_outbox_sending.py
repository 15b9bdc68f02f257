"""The mail outbox's sending, on SQLite and PostgreSQL, against a real SMTP server: the
retries and their back-off, the same Message-ID at every attempt, the lease of a worker that
died mid-send, giving up after the attempts allowed, and two workers that never send one
e-mail twice. Time is driven by explicit ``now`` arguments: nothing waits."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from mail_kit import free_port, smtp_server
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from campagne.db import make_engine, upgrade
from campagne.models import utc_now
from campagne.outbox.claim import claim
from campagne.outbox.models import OutboxMail
from campagne.outbox.queue import queue_mail
from campagne.outbox.retention import forget_recipient, purge_outbox
from campagne.outbox.sending import retry_delay, send_due
from campagne.settings import CampagneSettings

LEASE = dt.timedelta(seconds=300)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An empty database at the newest schema."""
    made = make_engine(database_url)
    upgrade(made)
    yield made
    made.dispose()


def settings_for(port: int, **changes: object) -> CampagneSettings:
    """Settings that send to ``port`` on loopback."""
    return CampagneSettings(smtp_host="127.0.0.1", smtp_port=port, **changes)  # type: ignore[arg-type]


def queue(engine: Engine, settings: CampagneSettings, count: int) -> list[str]:
    """Queue ``count`` e-mails (committed); return their Message-IDs."""
    with Session(engine) as session:
        mails = [queue_mail(session, settings, kind="test", to=f"p{n}@example.org",
                            subject=f"Message {n}", body="Bonjour\n", region_slug="gers")
                 for n in range(count)]
        session.commit()
        return [mail.message_id for mail in mails]


def rows(engine: Engine) -> list[OutboxMail]:
    """Every e-mail of the outbox, in order."""
    with Session(engine) as session:
        return list(session.exec(select(OutboxMail).order_by(col(OutboxMail.id))).all())


def test_a_server_that_is_down_keeps_the_mail_and_it_goes_once_when_back(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()  # nobody listens there yet
    settings = settings_for(port)
    ids = queue(engine, settings, 3)
    now = utc_now()
    report = send_due(engine, settings, limit=10, now=now)
    assert (report.sent, report.retried, report.failed) == (0, 3, 0)
    for row in rows(engine):
        assert (row.state, row.attempts) == ("queued", 1)
        assert row.next_attempt_at == now + dt.timedelta(seconds=60)
        assert row.last_error and "ConnectionRefusedError" in row.last_error
        assert "example.org" not in row.last_error
    with smtp_server(monkeypatch, port) as inbox:
        assert send_due(engine, settings, limit=10, now=now).sent == 0  # not due yet
        later = now + dt.timedelta(seconds=61)
        assert send_due(engine, settings, limit=10, now=later).sent == 3
        assert send_due(engine, settings, limit=10, now=later + LEASE * 2).sent == 0
    assert sorted(m["Message-ID"] for m in inbox.messages) == sorted(ids)
    assert [row.state for row in rows(engine)] == ["sent"] * 3
    assert all(row.sent_at == later and row.last_error is None for row in rows(engine))


def test_a_worker_killed_mid_send_leaves_the_mail_to_another_after_the_lease(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_server(monkeypatch) as inbox:
        settings = CampagneSettings()
        [message_id] = queue(engine, settings, 1)
        now = utc_now()
        [taken] = claim(engine, limit=10, now=now, lease=LEASE)  # ... and the worker dies
        assert (taken.state, taken.attempts) == ("sending", 1)
        assert send_due(engine, settings, limit=10, now=now + LEASE / 2).sent == 0
        assert send_due(engine, settings, limit=10, now=now + LEASE).sent == 1
        assert send_due(engine, settings, limit=10, now=now + LEASE * 3).sent == 0
    [received] = inbox.messages
    assert received["Message-ID"] == message_id
    [row] = rows(engine)
    assert (row.state, row.attempts) == ("sent", 2)


def test_the_last_attempt_marks_the_mail_failed_with_the_reason(engine: Engine) -> None:
    settings = settings_for(free_port(), outbox_max_attempts=2)
    queue(engine, settings, 1)
    now = utc_now()
    assert send_due(engine, settings, limit=10, now=now).retried == 1
    assert send_due(engine, settings, limit=10, now=now + dt.timedelta(hours=1)).failed == 1
    [row] = rows(engine)
    assert (row.state, row.attempts, row.sent_at) == ("failed", 2, None)
    assert row.last_error and row.last_error.startswith("ConnectionRefusedError")
    assert send_due(engine, settings, limit=10, now=now + dt.timedelta(days=9)).failed == 0


def test_the_back_off_doubles_and_is_capped() -> None:
    settings = CampagneSettings(outbox_retry_seconds=60, outbox_retry_max_seconds=3600)
    delays = [retry_delay(settings, n).total_seconds() for n in range(1, 9)]
    assert delays == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_two_workers_send_each_mail_once(database_url: str, engine: Engine,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_server(monkeypatch) as inbox:
        settings = CampagneSettings()
        ids = queue(engine, settings, 40)
        now = utc_now()
        start = threading.Barrier(2)
        errors: list[BaseException] = []

        def work() -> None:
            own = make_engine(database_url)  # a worker of its own, as another process
            try:
                start.wait()
                while send_due(own, settings, limit=3, now=now).sent:
                    pass
            except BaseException as exc:  # noqa: BLE001 - reported by the test below
                errors.append(exc)
            finally:
                own.dispose()

        workers = [threading.Thread(target=work) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    assert errors == []
    received = Counter(m["Message-ID"] for m in inbox.messages)
    assert set(received) == set(ids) and set(received.values()) == {1}
    assert {row.state for row in rows(engine)} == {"sent"}
    assert {row.attempts for row in rows(engine)} == {1}


def test_message_ids_are_unique_and_name_the_public_host(tmp_path: Path) -> None:
    settings = CampagneSettings(public_url="https://campagne.example.org")
    engine = make_engine(f"sqlite:///{tmp_path / 'o.db'}")
    upgrade(engine)
    ids = queue(engine, settings, 5)
    assert len(set(ids)) == 5 and all(i.endswith("@campagne.example.org>") for i in ids)
    engine.dispose()


def test_a_sent_mail_keeps_no_usable_link_and_old_mail_is_purged(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_server(monkeypatch) as inbox:
        settings = CampagneSettings(outbox_keep_days=30)
        with Session(engine) as session:
            for n in range(3):
                queue_mail(session, settings, kind="password_reset", to=f"P{n}@Example.org",
                           subject="Lien", body=f"https://x.example/set?token=secret{n}&a=1\n")
            session.commit()
        now = utc_now()
        assert send_due(engine, settings, limit=2, now=now).sent == 2
    assert "token=secret0&a=1" in inbox.body(inbox.messages[0])  # the person gets the link
    sent, _, waiting = rows(engine)
    assert sent.body == "https://x.example/set?token=…&a=1\n"
    assert waiting.body == "https://x.example/set?token=secret2&a=1\n"
    with Session(engine) as session:
        assert purge_outbox(session, settings, now + dt.timedelta(days=29)) == 0
        assert purge_outbox(session, settings, now + dt.timedelta(days=31)) == 2
        assert forget_recipient(session, "p2@example.ORG") == 1
        session.commit()
    assert rows(engine) == []
