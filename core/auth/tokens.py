"""Credentials: API bearer tokens, page sessions and e-mailed links. The secret goes to
the holder once; the database keeps only its keyed SHA-256 digest, so a stolen copy of the
database does not let anyone sign in."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlmodel import Session, col, select, update

from campagne.auth.models import Credential, CredentialKind, UserAccount
from campagne.auth.secret import secret_key
from campagne.models import utc_now
from campagne.settings import CampagneSettings

TOUCH_EVERY = dt.timedelta(minutes=1)


def digest(settings: CampagneSettings, secret: str) -> str:
    """The stored form of a secret (HMAC-SHA256 with the instance key)."""
    key = secret_key(settings).encode()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Issued:
    """A credential just created: the secret to hand over and its stored row."""

    secret: str
    credential: Credential


def lifetime(settings: CampagneSettings, kind: CredentialKind) -> dt.timedelta:
    """How long a credential of ``kind`` lives at most."""
    if kind is CredentialKind.API:
        return dt.timedelta(hours=settings.api_token_hours)
    if kind is CredentialKind.SESSION:
        return dt.timedelta(hours=settings.session_max_hours)
    return dt.timedelta(hours=settings.link_hours)


def issue(session: Session, settings: CampagneSettings, user: UserAccount,
          kind: CredentialKind) -> Issued:
    """Create a credential of ``kind`` for ``user`` (the caller commits)."""
    assert user.id is not None
    secret = secrets.token_urlsafe(32)
    credential = Credential(
        user_id=user.id, kind=kind.value, digest=digest(settings, secret),
        csrf_token=secrets.token_urlsafe(32) if kind is CredentialKind.SESSION else None,
        expires_at=utc_now() + lifetime(settings, kind))
    session.add(credential)
    session.flush()
    return Issued(secret, credential)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def resolve(session: Session, settings: CampagneSettings, secret: str,
            kind: CredentialKind) -> tuple[Credential, UserAccount] | None:
    """The live credential and active account behind ``secret``; ``None`` when unknown,
    expired, revoked or (for sessions) idle too long. Updates the last use."""
    found = session.exec(select(Credential).where(
        Credential.digest == digest(settings, secret), Credential.kind == kind.value)).first()
    now = utc_now()
    if found is None or found.revoked_at is not None or _aware(found.expires_at) <= now:
        return None
    idle = dt.timedelta(minutes=settings.session_idle_minutes)
    if kind is CredentialKind.SESSION and _aware(found.last_used_at) + idle <= now:
        found.revoked_at = now
        session.add(found)
        session.commit()
        return None
    user = session.get(UserAccount, found.user_id)
    if user is None or not user.active:
        return None
    if _aware(found.last_used_at) + TOUCH_EVERY <= now:  # one write a minute, not a request
        found.last_used_at = now
        session.add(found)
        session.commit()
    return found, user


def revoke(session: Session, credential: Credential) -> None:
    """End one credential now (sign-out, used link)."""
    credential.revoked_at = utc_now()
    session.add(credential)
    session.commit()


def revoke_all(session: Session, user_id: int, kinds: tuple[CredentialKind, ...] = tuple(
        CredentialKind), *, commit: bool = True) -> None:
    """End every live credential of an account (password change, deactivation, new rights);
    ``commit=False`` leaves the commit to the caller, with its other changes."""
    session.exec(update(Credential)
                 .where(col(Credential.user_id) == user_id,
                        col(Credential.kind).in_([k.value for k in kinds]),
                        col(Credential.revoked_at).is_(None))
                 .values(revoked_at=utc_now()))
    if commit:
        session.commit()
