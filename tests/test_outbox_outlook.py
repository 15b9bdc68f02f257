"""What the outbox tells of its chances to send, on SQLite and PostgreSQL: the e-mail a
worker took last, and e-mails that no worker takes. Moments are given explicitly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from campagne.db import make_engine, upgrade
from campagne.models import utc_now
from campagne.outbox.models import MailState, OutboxMail
from campagne.outbox.outlook import STALLED_AFTER, sending_stalled

NOW = utc_now()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An empty database at the newest schema."""
    made = make_engine(database_url)
    upgrade(made)
    yield made
    made.dispose()


def add(engine: Engine, *mails: OutboxMail) -> None:
    """Store ``mails``."""
    with Session(engine) as session:
        session.add_all(mails)
        session.commit()


def mail(number: int, state: MailState = MailState.QUEUED, *, kind: str = "test",
         claimed: dt.timedelta | None = None, error: str | None = None,
         age: dt.timedelta = dt.timedelta()) -> OutboxMail:
    """An e-mail of the outbox, taken by a worker ``claimed`` ago (or never)."""
    return OutboxMail(message_id=f"<{number}@example.org>", kind=kind, recipient="p@example.org",
                      subject="s", body="b", state=state.value, last_error=error,
                      claimed_at=None if claimed is None else NOW - claimed,
                      created_at=NOW - age, next_attempt_at=NOW)


def stalled(engine: Engine) -> bool:
    with Session(engine) as session:
        return sending_stalled(session, NOW)


def test_an_empty_outbox_and_a_fresh_e_mail_are_not_stalled(engine: Engine) -> None:
    assert not stalled(engine)
    add(engine, mail(1))
    assert not stalled(engine)


def test_the_e_mail_taken_last_decides(engine: Engine) -> None:
    minute = dt.timedelta(minutes=1)
    add(engine, mail(1, MailState.FAILED, claimed=5 * minute, error="refused"),
        mail(2, MailState.SENT, claimed=minute))
    assert not stalled(engine)  # sent since the failure
    add(engine, mail(3, claimed=dt.timedelta(seconds=10), error="ConnectionRefusedError"))
    assert stalled(engine)  # the last attempt failed; a retry waits


def test_an_e_mail_given_up_last_means_stalled(engine: Engine) -> None:
    add(engine, mail(1, MailState.SENT, claimed=dt.timedelta(minutes=3)),
        mail(2, MailState.FAILED, claimed=dt.timedelta(minutes=1), error="refused"))
    assert stalled(engine)


def test_an_e_mail_being_sent_is_not_a_failure(engine: Engine) -> None:
    add(engine, mail(1, MailState.SENDING, claimed=dt.timedelta(seconds=1)))
    assert not stalled(engine)


def test_an_e_mail_no_worker_takes_means_stalled_but_not_a_newsletter(engine: Engine) -> None:
    late = STALLED_AFTER + dt.timedelta(minutes=1)
    add(engine, mail(1, kind="newsletter", age=late))
    assert not stalled(engine)  # newsletters wait their turn by design
    add(engine, mail(2, age=STALLED_AFTER - dt.timedelta(minutes=1)))
    assert not stalled(engine)
    add(engine, mail(3, age=late))
    assert stalled(engine)
