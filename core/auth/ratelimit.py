"""Counting uses of a key in the database (shared by every worker): a few password-reset
e-mails per address, a few sign-ups per person. Sign-in has its own counters
(:mod:`campagne.auth.throttle`)."""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import func
from sqlmodel import Session, col, select

from campagne.auth.models import LoginAttempt
from campagne.models import utc_now
from campagne.settings import CampagneSettings


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


def retry_after(session: Session, settings: CampagneSettings, keys: tuple[str, ...]) -> int:
    """Seconds until every one of ``keys`` may be used again: when the oldest use counted in
    the window of each leaves it (at least one; the value of a ``Retry-After`` header)."""
    window = dt.timedelta(minutes=settings.login_window_minutes)
    now = utc_now()
    wait = 1
    for key in keys:
        oldest = session.exec(select(func.min(LoginAttempt.at)).where(
            LoginAttempt.key == key[:250], col(LoginAttempt.at) > now - window)).one()
        if oldest is not None:
            aware = oldest if oldest.tzinfo else oldest.replace(tzinfo=dt.UTC)
            wait = max(wait, math.ceil((aware + window - now).total_seconds()))
    return wait
