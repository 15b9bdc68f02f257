"""What each account wants: the optional kinds it switched off and its mail language.
Functions here never commit."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, delete, select

from campagne.auth.models import UserAccount
from campagne.i18n import SUPPORTED
from campagne.notifications.models import NotificationOptOut


def switched_off(session: Session, user_id: int) -> set[str]:
    """The kinds ``user_id`` switched off."""
    return set(session.exec(select(NotificationOptOut.kind).where(
        NotificationOptOut.user_id == user_id)).all())


def wants(session: Session, user_id: int, kind: str) -> bool:
    """Whether ``user_id`` receives ``kind`` (every kind is sent unless switched off)."""
    return session.exec(select(NotificationOptOut.kind).where(
        NotificationOptOut.user_id == user_id, NotificationOptOut.kind == kind)).first() is None


def save(session: Session, account: UserAccount, *, off: Iterable[str], shown: Iterable[str],
         language: str) -> None:
    """Switch off exactly ``off`` among the kinds ``shown`` to the person (those not shown
    keep their state) and set the mail language (ignored unless supported)."""
    assert account.id is not None
    shown, off = set(shown), set(off)
    current = switched_off(session, account.id)
    for kind in (current & shown) - off:
        session.exec(delete(NotificationOptOut).where(
            col(NotificationOptOut.user_id) == account.id,
            col(NotificationOptOut.kind) == kind))
    for kind in (off & shown) - current:
        session.add(NotificationOptOut(user_id=account.id, kind=kind))
    if language in SUPPORTED:
        account.language = language
        session.add(account)


def forget(session: Session, user_id: int) -> int:
    """Delete every opt-out of ``user_id`` (erasure); return how many."""
    rows = switched_off(session, user_id)
    session.exec(delete(NotificationOptOut).where(
        col(NotificationOptOut.user_id) == user_id))
    return len(rows)


def language_of(account: UserAccount | None, default: str) -> str:
    """The language to write to ``account`` in (``default`` without an account)."""
    if account is not None and account.language in SUPPORTED:
        return account.language
    return default if default in SUPPORTED else "fr"
