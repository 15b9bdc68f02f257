"""Checking a password, with the per-account and per-address slow-down."""

from __future__ import annotations

from sqlmodel import Session

from campagne.auth import ratelimit
from campagne.auth.accounts import find_account, normalise_email
from campagne.auth.models import AuditEvent, UserAccount
from campagne.auth.passwords import verify_password
from campagne.models import utc_now
from campagne.settings import CampagneSettings


class TooManyAttempts(Exception):
    """Sign-in refused for now: too many recent failures for this account or address."""


def authenticate(session: Session, settings: CampagneSettings, email: str, password: str,
                 address: str | None) -> UserAccount | None:
    """The active account matching ``email`` and ``password``, or ``None``.
    Raises :class:`TooManyAttempts` once the account or the address is slowed down."""
    if ratelimit.blocked(session, settings, email, address):
        _failed(session, email, address, "sign_in_throttled")
        raise TooManyAttempts
    user = find_account(session, email)
    stored = user.password_hash if user is not None and user.active else None
    if not verify_password(settings, stored, password) or user is None:
        ratelimit.record_failure(session, email, address)
        _failed(session, email, address, "sign_in_failed")
        return None
    ratelimit.clear_account(session, email)
    user.last_login_at = utc_now()
    session.add(user)
    session.commit()
    return user


def _failed(session: Session, email: str, address: str | None, action: str) -> None:
    """Record a refused sign-in in the audit trail (the address typed, not the password)."""
    session.add(AuditEvent(action=action, actor_email=normalise_email(email)[:200],
                           address=address))
    session.commit()
