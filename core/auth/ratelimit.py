"""Counting uses of a key in the database (shared by every worker): a few password-reset
e-mails per address, a few sign-ups per person. Sign-in has its own counters
(:mod:`campagne.auth.throttle`)."""

from __future__ import annotations

import datetime as dt

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
