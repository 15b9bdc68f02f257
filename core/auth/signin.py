"""Signing in with a password: the one implementation behind ``POST /api/v1/auth/token``
and the sign-in page. The attempt is counted before the password is hashed
(:mod:`campagne.auth.throttle`), and the hash runs in one of the process's bounded slots
(:func:`campagne.auth.passwords.hashing_slot`)."""

from __future__ import annotations

from sqlmodel import Session

from campagne.auth import throttle
from campagne.auth.accounts import find_account, normalise_email
from campagne.auth.audit import record
from campagne.auth.models import AuditEvent, UserAccount
from campagne.auth.passwords import HashingBusy, hashing_slot, verify_password
from campagne.auth.tokens import digest
from campagne.i18n import format_wait, gettext
from campagne.models import utc_now
from campagne.settings import CampagneSettings

#: ``Retry-After`` when every hashing slot is taken: a moment, not a window.
BUSY_RETRY_SECONDS = 1


class SignInRefused(Exception):
    """The password was not checked: ``status`` is 429 (too many attempts for this
    account or address) or 503 (every hashing slot taken); retry after ``retry_after``
    seconds."""

    def __init__(self, status: int, retry_after: int) -> None:
        super().__init__(f"sign-in refused ({status}), retry after {retry_after} s")
        self.status = status
        self.retry_after = retry_after



def refusal_text(refused: SignInRefused) -> str:
    """What was limited and for how long, in the current language (the page's error, the
    API's detail); a 503 lasts a moment (``Retry-After`` says how long)."""
    if refused.status == 429:
        return gettext("Too many failed sign-ins to this account or from your network. "
                       "Try again in %(wait)s.") % {"wait": format_wait(refused.retry_after)}
    return gettext("Too many sign-ins at once. Try again in a moment.")

def sign_in(session: Session, settings: CampagneSettings, email: str, password: str,
            address: str | None, channel: str) -> UserAccount | None:
    """The active account matching ``email`` and ``password`` (its sign-in through
    ``channel``, ``api`` or ``pages``, audited), or ``None``. Raises
    :class:`SignInRefused` when the attempt may not be checked now."""
    user = find_account(session, email)
    now = utc_now()
    counted = throttle.count_attempt(session, settings, email, address, now)
    if isinstance(counted, throttle.Refused):
        _failed(session, settings, user, email, address, "sign_in_throttled")
        raise SignInRefused(429, counted.retry_after)
    stored = user.password_hash if user is not None and user.active else None
    try:
        with hashing_slot(settings):
            valid = verify_password(settings, stored, password)
    except HashingBusy:
        throttle.take_back(session, counted)
        raise SignInRefused(503, BUSY_RETRY_SECONDS) from None
    if not valid or user is None:
        _failed(session, settings, user, email, address, "sign_in_failed")
        return None
    throttle.succeeded(session, counted, now)
    user.last_login_at = now
    session.add(user)
    record(session, user, "sign_in", target=channel, address=_capped(address))
    session.commit()
    return user


def typed_name(settings: CampagneSettings, user: UserAccount | None, email: str) -> str:
    """What the audit trail keeps of the name typed at a refused sign-in: the account's
    e-mail when it names one, else a keyed digest (the same typo gives the same digest;
    a password typed in the wrong field is never stored)."""
    if user is not None:
        return user.email
    typed = digest(settings, "typed name\0" + normalise_email(email))
    return f"unknown account {typed[:12]}"


def _failed(session: Session, settings: CampagneSettings, user: UserAccount | None,
            email: str, address: str | None, action: str) -> None:
    """Record a refused sign-in in the audit trail."""
    session.add(AuditEvent(action=action, actor_email=typed_name(settings, user, email)[:200],
                           address=_capped(address)))
    session.commit()


def _capped(address: str | None) -> str | None:
    return address[:64] if address else address
