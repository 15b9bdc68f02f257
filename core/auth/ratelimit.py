"""Slowing down password guessing: failed sign-ins are counted per account and per
address in the database (shared by every worker); past the limit, sign-in is refused
until the window has passed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from campagne.auth.models import LoginAttempt
from campagne.models import utc_now
from campagne.settings import CampagneSettings


def keys(email: str, address: str | None) -> list[str]:
    """The counters a sign-in attempt touches."""
    found = [f"account:{email.strip().lower()}"]
    if address:
        found.append(f"address:{address}")
    return found


def blocked(session: Session, settings: CampagneSettings, email: str,
            address: str | None) -> bool:
    """True when the account or the address has failed too often in the window."""
    since = utc_now() - dt.timedelta(minutes=settings.login_window_minutes)
    for key in keys(email, address):
        limit = settings.login_max_failures * (4 if key.startswith("address:") else 1)
        count = session.exec(select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.key == key, col(LoginAttempt.at) > since)).one()
        if count >= limit:
            return True
    return False


def record_failure(session: Session, email: str, address: str | None) -> None:
    """Count one failed sign-in (the caller commits)."""
    for key in keys(email, address):
        session.add(LoginAttempt(key=key))


def clear_account(session: Session, email: str) -> None:
    """Forget the account's failures after a successful sign-in (the caller commits)."""
    session.exec(delete(LoginAttempt).where(
        col(LoginAttempt.key) == keys(email, None)[0]))


def take(session: Session, settings: CampagneSettings, key: str) -> bool:
    """Count one use of ``key`` (e.g. a reset e-mail to an address); False once it was used
    ``login_max_failures`` times in the window (the caller then does nothing)."""
    since = utc_now() - dt.timedelta(minutes=settings.login_window_minutes)
    count = session.exec(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.key == key[:250], col(LoginAttempt.at) > since)).one()
    if count >= settings.login_max_failures:
        return False
    session.add(LoginAttempt(key=key[:250]))
    session.commit()
    return True
