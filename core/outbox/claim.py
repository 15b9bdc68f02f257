"""Taking due e-mails for one worker, so that no other worker sends them meanwhile.

A row is due when it is ``queued`` and its time has come, or ``sending`` past its lease (the
worker that took it died). Taking it marks it ``sending`` until ``now + lease``: on
PostgreSQL the rows are chosen with ``SELECT ... FOR UPDATE SKIP LOCKED``; on SQLite each is
taken by a conditional ``UPDATE`` that only one process can win (the database allows one
writer at a time and the condition no longer holds for the next one)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, update
from sqlmodel import Session, col, select

from campagne.outbox.models import MailState, OutboxMail

WAITING = (MailState.QUEUED.value, MailState.SENDING.value)


def _due(now: dt.datetime) -> Any:
    return (col(OutboxMail.state).in_(WAITING), col(OutboxMail.next_attempt_at) <= now)


def claim(engine: Engine, *, limit: int, now: dt.datetime,
          lease: dt.timedelta) -> list[OutboxMail]:
    """Mark up to ``limit`` due e-mails ``sending`` until ``now + lease`` and return them
    (detached copies), oldest due first."""
    if engine.dialect.name == "postgresql":
        return _claim_locked(engine, limit, now, lease)
    return _claim_each(engine, limit, now, lease)


def _claim_locked(engine: Engine, limit: int, now: dt.datetime,
                  lease: dt.timedelta) -> list[OutboxMail]:
    with Session(engine, expire_on_commit=False) as session:
        rows = list(session.exec(
            select(OutboxMail).where(*_due(now))
            .order_by(col(OutboxMail.next_attempt_at), col(OutboxMail.id))
            .limit(limit).with_for_update(skip_locked=True)).all())
        for row in rows:
            _take(row, now, lease)
            session.add(row)
        session.commit()
        return rows


def _claim_each(engine: Engine, limit: int, now: dt.datetime,
                lease: dt.timedelta) -> list[OutboxMail]:
    taken: list[OutboxMail] = []
    with Session(engine, expire_on_commit=False) as session:
        candidates = session.exec(
            select(col(OutboxMail.id)).where(*_due(now))
            .order_by(col(OutboxMail.next_attempt_at), col(OutboxMail.id))
            .limit(limit)).all()
        session.rollback()  # end the read: each claim below is its own short write
        for mail_id in candidates:
            result = cast(CursorResult[Any], session.execute(
                update(OutboxMail).where(col(OutboxMail.id) == mail_id, *_due(now))
                .values(state=MailState.SENDING.value, next_attempt_at=now + lease,
                        attempts=col(OutboxMail.attempts) + 1)))
            session.commit()
            if result.rowcount == 1:
                row = session.get(OutboxMail, mail_id)
                if row is not None:
                    taken.append(row)
    return taken


def _take(row: OutboxMail, now: dt.datetime, lease: dt.timedelta) -> None:
    row.state = MailState.SENDING.value
    row.next_attempt_at = now + lease
    row.attempts += 1
