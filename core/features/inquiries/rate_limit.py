"""The rate limits of the public inquiry form and API, counted in the database so every
worker sees the same figures (rows of the sign-in attempts' table under ``inquiry:`` keys,
deleted by housekeeping past the window).

Two counters per sending: one per (client address, e-mail address) pair, which holds back
one person sending again and again (``CAMPAGNE_INQUIRY_RATE_LIMIT``), and one per client
address, much higher, which holds back a flood under changing e-mail addresses
(``CAMPAGNE_INQUIRY_ADDRESS_LIMIT``). Several candidates behind one shared connection (a
chamber's Wi-Fi, a coworking space) each have their own pair counter."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session, col, select

from campagne.auth.models import LoginAttempt
from campagne.i18n import format_wait, gettext
from campagne.models import utc_now
from campagne.retention import INQUIRY_KEY
from campagne.settings import CampagneSettings

RATE_KEY = INQUIRY_KEY  # housekeeping deletes these counters past their own window


@dataclass(frozen=True)
class Limited:
    """A sending refused: which counter is full (``email``: this e-mail address from this
    connection; ``address``: this connection), how many sendings it allows per window, and
    the seconds to wait (the ``Retry-After`` value)."""

    scope: Literal["email", "address"]
    limit: int
    window_minutes: int
    retry_after: int


def address_key(address: str | None) -> str:
    """The counter of one client address."""
    return f"{RATE_KEY}{address or 'unknown'}"[:250]


def pair_key(address: str | None, email: str | None) -> str:
    """The counter of one (client address, e-mail address) pair; the e-mail address is
    kept as a digest, never in clear."""
    digest = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]
    return f"{RATE_KEY}{digest}:{address or 'unknown'}"[:250]


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _wait(session: Session, key: str, limit: int, window: dt.timedelta,
          now: dt.datetime) -> int | None:
    """Seconds before ``key`` may count one more sending; ``None`` when it may now."""
    moments = session.exec(select(LoginAttempt.at).where(
        LoginAttempt.key == key, col(LoginAttempt.at) > now - window)
        .order_by(col(LoginAttempt.at))).all()
    excess = len(moments) - limit
    if excess < 0:
        return None
    # The wait ends when enough of the counted sendings have left the window.
    frees_at = _aware(moments[excess]) + window
    return max(1, math.ceil((frees_at - now).total_seconds()))


def limited(session: Session, settings: CampagneSettings, address: str | None,
            email: str | None) -> Limited | None:
    """Whether a sending from ``address`` with ``email`` must wait, and why; ``None`` when
    it may be sent now."""
    minutes = settings.inquiry_rate_window_minutes
    window = dt.timedelta(minutes=minutes)
    now = utc_now()
    counters = (("email", pair_key(address, email), settings.inquiry_rate_limit),
                ("address", address_key(address), settings.inquiry_address_limit))
    for scope, key, limit in counters:
        wait = _wait(session, key, limit, window, now)
        if wait is not None:
            return Limited("email" if scope == "email" else "address", limit, minutes, wait)
    return None


def count_sending(session: Session, address: str | None, email: str | None = None) -> None:
    """Count one inquiry from ``address`` with ``email`` (a honeypot catch without:
    only the address is counted); the caller commits."""
    session.add(LoginAttempt(key=address_key(address)))
    if email is not None:
        session.add(LoginAttempt(key=pair_key(address, email)))


def explain(refused: Limited) -> str:
    """What was limited and for how long, in the current language."""
    words = {"limit": refused.limit, "window": format_wait(refused.window_minutes * 60),
             "wait": format_wait(refused.retry_after)}
    if refused.scope == "email":
        return gettext("This e-mail address has reached the limit of %(limit)s inquiries "
                       "from this connection in %(window)s. You may send again in "
                       "%(wait)s.") % words
    return gettext("Your connection has reached the limit of %(limit)s inquiries in "
                   "%(window)s, all senders together. You may send again in %(wait)s.") % words
