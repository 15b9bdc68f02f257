"""Throttling sign-in attempts, as OWASP's authentication cheat sheet describes: by account
*and* by address, slowing an account down rather than locking it.

Every attempt is counted *before* its password is hashed, in the database (so the count
holds across threads, worker processes and hosts), against three counters:

- its (account, address) pair: ``login_max_failures`` attempts, then that pair is refused
  until ``login_window_minutes`` have passed without a counted attempt;
- its address, whatever the account: ``login_address_max_failures``, the same way;
- its account, whatever the address: past ``login_account_slowdown_after`` attempts, each
  further one must wait twice as long as the one before (1 s, 2 s, 4 s... at most the
  window). Never a hard lock; and a pair that signed in successfully in the last
  ``KNOWN_FOR`` days does not wait at all, so the account's owner gets in from where they
  usually sign in while someone else guesses from elsewhere.

A success clears its pair and takes its attempt back from the address and the account:
the counters hold failures and attempts still being checked. The rows are locked one at a
time in the order of their keys (no deadlock), then changed by an update that also checks
the version read (compare-and-set). See docs/decisions/0018-sign-in-throttling.md.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, delete, select, update

from campagne.auth.accounts import normalise_email
from campagne.auth.models import SignInCounter
from campagne.auth.tokens import digest
from campagne.operations.locking import lock_row
from campagne.settings import CampagneSettings

#: How long a successful sign-in exempts its (account, address) pair from the account's
#: slow-down.
KNOWN_FOR = dt.timedelta(days=90)
#: The slow-down doubles at most this many times before reaching its cap (the window).
MAX_DOUBLINGS = 30


@dataclass(frozen=True)
class Refused:
    """The attempt was not counted: try again in ``retry_after`` seconds."""

    retry_after: int


@dataclass(frozen=True)
class Counted:
    """The attempt was counted against these counters."""

    pair: str
    others: tuple[str, ...]
    known: str


@dataclass(frozen=True)
class State:
    """What a counter holds."""

    attempts: int
    last_at: dt.datetime
    next_allowed_at: dt.datetime | None = None


@dataclass(frozen=True)
class Limit:
    """How many attempts a counter allows, and what happens past them: refusal until the
    window has passed quietly, or (``slows_down``) a doubling wait between attempts."""

    allowed: int
    slows_down: bool = False
    exempt: bool = False


def counter_keys(settings: CampagneSettings, email: str,
                 address: str | None) -> dict[str, str]:
    """The keys of an attempt's counters: ``pair``, ``address``, ``account``, ``known``.
    Keyed digests, so that no typed name (a password, sometimes) or address is stored."""
    account = normalise_email(email)
    where = address or ""
    parts = {"pair": f"{account}\0{where}", "address": where, "account": account,
             "known": f"{account}\0{where}"}
    return {kind: f"{kind}:" + digest(settings, f"sign-in {kind}\0" + text)
            for kind, text in parts.items()}


def next_state(state: State, limit: Limit, now: dt.datetime,
               window: dt.timedelta) -> State | Refused:
    """The counter after one more attempt at ``now``, or the refusal of that attempt."""
    if now - state.last_at >= window:  # quiet for a whole window: start again
        state = State(0, state.last_at)
    if limit.exempt:
        return State(state.attempts + 1, now, state.next_allowed_at)
    if state.attempts >= limit.allowed:
        if not limit.slows_down:
            return Refused(_seconds(state.last_at + window - now))
        if state.next_allowed_at is not None and now < state.next_allowed_at:
            return Refused(_seconds(state.next_allowed_at - now))
    attempts = state.attempts + 1
    if not (limit.slows_down and attempts >= limit.allowed):
        return State(attempts, now)
    doublings = min(attempts - limit.allowed, MAX_DOUBLINGS)
    wait = min(dt.timedelta(seconds=2 ** doublings), window)
    return State(attempts, now, now + wait)


def count_attempt(session: Session, settings: CampagneSettings, email: str,
                  address: str | None, now: dt.datetime) -> Counted | Refused:
    """Count one sign-in attempt on each of its counters, or on none of them when one
    refuses it. Commits; call it before hashing the password."""
    keys = counter_keys(settings, email, address)
    window = dt.timedelta(minutes=settings.login_window_minutes)
    limits = {keys["pair"]: Limit(settings.login_max_failures),
              keys["account"]: Limit(settings.login_account_slowdown_after, slows_down=True,
                                     exempt=_known(session, keys["known"], now))}
    if address:
        limits[keys["address"]] = Limit(settings.login_address_max_failures)
    ordered = sorted(limits)
    _create_missing(session, ordered, now)
    for _round in range(3):  # a changed version means a lock that did not hold: read again
        rows = [lock_row(session, SignInCounter, key) for key in ordered]
        decisions = [next_state(_state(row), limits[key], now, window)
                     for key, row in zip(ordered, rows, strict=True)]
        refusals = [d.retry_after for d in decisions if isinstance(d, Refused)]
        if refusals:
            session.rollback()
            return Refused(max(refusals))
        if all(_compare_and_set(session, key, row, decision)
               for key, row, decision in zip(ordered, rows, decisions, strict=True)):
            session.commit()
            return Counted(keys["pair"], tuple(k for k in ordered if k != keys["pair"]),
                           keys["known"])
        session.rollback()
    return Refused(1)


def take_back(session: Session, counted: Counted) -> None:
    """Uncount an attempt whose password was not checked (no hashing slot). Commits."""
    for key in sorted((counted.pair, *counted.others)):
        _decrement(session, key)
    session.commit()


def succeeded(session: Session, counted: Counted, now: dt.datetime) -> None:
    """After a successful sign-in: clear the pair, take the attempt back from the address
    and the account, remember the pair as known (the caller commits)."""
    _create_missing(session, [counted.known], now, commit=False)
    for key in sorted((counted.pair, *counted.others, counted.known)):
        if key == counted.pair:
            _set(session, key, attempts=0, next_allowed_at=None)
        elif key == counted.known:
            _set(session, key, last_at=now)
        else:
            _decrement(session, key)


def purge(session: Session, settings: CampagneSettings, now: dt.datetime) -> int:
    """Delete counters quiet for a whole window and known pairs past ``KNOWN_FOR``
    (the caller commits); return how many rows went."""
    window = now - dt.timedelta(minutes=settings.login_window_minutes)
    known = col(SignInCounter.key).like("known:%")
    counters = session.exec(delete(SignInCounter).where(
        col(SignInCounter.last_at) < window, ~known))
    pairs = session.exec(delete(SignInCounter).where(
        col(SignInCounter.last_at) < now - KNOWN_FOR, known))
    return int(counters.rowcount or 0) + int(pairs.rowcount or 0)


def _known(session: Session, key: str, now: dt.datetime) -> bool:
    """True when this (account, address) pair signed in successfully not long ago."""
    last = session.exec(select(SignInCounter.last_at).where(SignInCounter.key == key)).first()
    return last is not None and now - _aware(last) < KNOWN_FOR


def _create_missing(session: Session, keys: list[str], now: dt.datetime, *,
                    commit: bool = True) -> None:
    """Insert the counters that do not exist yet (another request may at the same time)."""
    present = set(session.exec(select(SignInCounter.key).where(
        col(SignInCounter.key).in_(keys))))
    missing = [key for key in keys if key not in present]
    if not missing:
        return
    build: Any = (postgresql_insert if session.get_bind().dialect.name == "postgresql"
                  else sqlite_insert)
    session.execute(build(SignInCounter).values(
        [{"key": key, "attempts": 0, "last_at": now, "version": 0} for key in missing]
    ).on_conflict_do_nothing(index_elements=["key"]))
    if commit:
        session.commit()


def _state(row: SignInCounter | None) -> State:
    assert row is not None, "counters are created before they are locked"
    allowed = _aware(row.next_allowed_at) if row.next_allowed_at else None
    return State(row.attempts, _aware(row.last_at), allowed)


def _compare_and_set(session: Session, key: str, row: SignInCounter | None,
                     state: State | Refused) -> bool:
    """Write ``state`` if the counter is still at the version read; True when it was."""
    assert row is not None and isinstance(state, State)
    result = session.exec(update(SignInCounter).where(
        col(SignInCounter.key) == key, col(SignInCounter.version) == row.version).values(
        attempts=state.attempts, last_at=state.last_at,
        next_allowed_at=state.next_allowed_at, version=row.version + 1))
    return int(result.rowcount or 0) == 1


def _decrement(session: Session, key: str) -> None:
    session.exec(update(SignInCounter).where(
        col(SignInCounter.key) == key, col(SignInCounter.attempts) > 0).values(
        attempts=col(SignInCounter.attempts) - 1, version=col(SignInCounter.version) + 1))


def _set(session: Session, key: str, **values: Any) -> None:
    session.exec(update(SignInCounter).where(col(SignInCounter.key) == key).values(
        version=col(SignInCounter.version) + 1, **values))


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _seconds(delta: dt.timedelta) -> int:
    """Whole seconds to wait, at least one (the value of a ``Retry-After`` header)."""
    return max(1, math.ceil(delta.total_seconds()))
