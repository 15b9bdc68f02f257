"""Taking due e-mails for one worker, so that no other worker sends them meanwhile.

A row is due when it is ``queued`` and its time has come, or ``sending`` past its lease (the
worker that took it died). Taking it marks it ``sending`` until ``now + lease``: on
PostgreSQL the rows are chosen with ``SELECT ... FOR UPDATE SKIP LOCKED``; on SQLite each is
taken by a conditional ``UPDATE`` that only one process can win (the database allows one
writer at a time and the condition no longer holds for the next one).

Bulk e-mail (newsletters, :data:`BULK_KINDS`) is taken after the other e-mails of a round,
and at most ``bulk_rate`` of them in any minute across all workers: each claim records its
time (``claimed_at``), and the count of the last minute's is read under a lock on
PostgreSQL (an advisory lock, held to the end of the claim's transaction) and inside the
claiming ``UPDATE`` on SQLite, so two workers cannot both spend the same budget."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, func, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from campagne.outbox.models import MailState, OutboxMail

WAITING = (MailState.QUEUED.value, MailState.SENDING.value)
#: Kinds of e-mail sent to many people at once, whose rate is bounded.
BULK_KINDS = ("newsletter",)
RATE_WINDOW = dt.timedelta(minutes=1)
#: The PostgreSQL advisory lock under which the bulk budget is counted and spent.
BULK_LOCK = 0x6E657773  # "news"


def _due(now: dt.datetime, bulk: bool) -> Any:
    kind = col(OutboxMail.kind)
    return (col(OutboxMail.state).in_(WAITING), col(OutboxMail.next_attempt_at) <= now,
            kind.in_(BULK_KINDS) if bulk else kind.not_in(BULK_KINDS))


def _recent_bulk(now: dt.datetime) -> Any:
    """How many bulk e-mails were taken in the minute before ``now`` (a scalar subquery
    over an alias, so that it stays uncorrelated inside an ``UPDATE`` of the same table)."""
    other = aliased(OutboxMail)
    return (select(func.count()).select_from(other)
            .where(col(other.kind).in_(BULK_KINDS), col(other.claimed_at) > now - RATE_WINDOW)
            .scalar_subquery())


def claim(engine: Engine, *, limit: int, now: dt.datetime, lease: dt.timedelta,
          bulk_rate: int = 60) -> list[OutboxMail]:
    """Mark up to ``limit`` due e-mails ``sending`` until ``now + lease`` and return them
    (detached copies), oldest due first, bulk e-mail last and no more than ``bulk_rate`` of
    it taken in the minute before ``now``."""
    if engine.dialect.name == "postgresql":
        return _claim_locked(engine, limit, now, lease, bulk_rate)
    return _claim_each(engine, limit, now, lease, bulk_rate)


def _oldest(now: dt.datetime, bulk: bool, limit: int) -> Any:
    return (select(OutboxMail).where(*_due(now, bulk))
            .order_by(col(OutboxMail.next_attempt_at), col(OutboxMail.id)).limit(limit))


def _claim_locked(engine: Engine, limit: int, now: dt.datetime, lease: dt.timedelta,
                  bulk_rate: int) -> list[OutboxMail]:
    with Session(engine, expire_on_commit=False) as session:
        rows = list(session.exec(
            _oldest(now, False, limit).with_for_update(skip_locked=True)).all())
        room = limit - len(rows)
        if room > 0:
            session.execute(select(func.pg_advisory_xact_lock(BULK_LOCK)))
            budget = bulk_rate - int(session.execute(select(_recent_bulk(now))).scalar_one())
            if budget > 0:
                rows += session.exec(_oldest(now, True, min(room, budget))
                                     .with_for_update(skip_locked=True)).all()
        for row in rows:
            _take(row, now, lease)
            session.add(row)
        session.commit()
        return rows


def _claim_each(engine: Engine, limit: int, now: dt.datetime, lease: dt.timedelta,
                bulk_rate: int) -> list[OutboxMail]:
    taken: list[OutboxMail] = []
    with Session(engine, expire_on_commit=False) as session:
        regular = list(session.exec(_ids(now, False, limit)).all())
        bulk = list(session.exec(_ids(now, True, limit - len(regular))).all()) \
            if len(regular) < limit else []
        session.rollback()  # end the read: each claim below is its own short write
        for mail_id, is_bulk in [(i, False) for i in regular] + [(i, True) for i in bulk]:
            condition = [col(OutboxMail.id) == mail_id, *_due(now, is_bulk)]
            if is_bulk:
                condition.append(_recent_bulk(now) < bulk_rate)
            result = cast(CursorResult[Any], session.execute(
                update(OutboxMail).where(*condition)
                .values(state=MailState.SENDING.value, next_attempt_at=now + lease,
                        claimed_at=now, attempts=col(OutboxMail.attempts) + 1)))
            session.commit()
            if result.rowcount == 1:
                row = session.get(OutboxMail, mail_id)
                if row is not None:
                    taken.append(row)
    return taken


def _ids(now: dt.datetime, bulk: bool, limit: int) -> Any:
    return (select(col(OutboxMail.id)).where(*_due(now, bulk))
            .order_by(col(OutboxMail.next_attempt_at), col(OutboxMail.id)).limit(limit))


def _take(row: OutboxMail, now: dt.datetime, lease: dt.timedelta) -> None:
    row.state = MailState.SENDING.value
    row.next_attempt_at = now + lease
    row.claimed_at = now
    row.attempts += 1
