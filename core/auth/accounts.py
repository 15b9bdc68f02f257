"""Creating and changing accounts (used by the command line and the admin page)."""

from __future__ import annotations

from sqlmodel import Session, col, delete, select

from campagne.auth import tokens
from campagne.auth.models import CredentialKind, Role, UserAccount, UserRegion
from campagne.auth.passwords import hash_password, password_problem
from campagne.models import Member, Region
from campagne.settings import CampagneSettings


class AccountError(ValueError):
    """An account cannot be created or changed as asked (the message says why)."""


def normalise_email(email: str) -> str:
    """E-mail addresses are compared in lower case, without surrounding spaces."""
    return email.strip().lower()


def create_account(session: Session, settings: CampagneSettings, *, email: str, role: Role,
                   regions: list[str] | None = None, read_only: bool = False,
                   member_id: int | None = None, password: str | None = None) -> UserAccount:
    """Create an account; staff need at least one region, members their record.
    Without a password the account can only be entered through an invitation link."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 200:
        raise AccountError(f"not an e-mail address: {email!r}")
    if session.exec(select(UserAccount).where(UserAccount.email == email)).first():
        raise AccountError(f"an account already exists for {email}")
    region_rows = _regions(session, regions or [])
    if role is Role.STAFF and not region_rows:
        raise AccountError("staff accounts need at least one --region")
    if role is Role.MEMBER and (member_id is None or session.get(Member, member_id) is None):
        raise AccountError("member accounts need the id of an existing member (--member)")
    if password is not None and (problem := password_problem(password)):
        raise AccountError(f"password: {problem}")
    user = UserAccount(email=email, role=role.value, read_only=read_only,
                       member_id=member_id if role is Role.MEMBER else None,
                       password_hash=hash_password(settings, password) if password else None)
    session.add(user)
    session.flush()
    assert user.id is not None
    for region in region_rows if role is Role.STAFF else []:
        assert region.id is not None
        session.add(UserRegion(user_id=user.id, region_id=region.id))
    return user


def _regions(session: Session, slugs: list[str]) -> list[Region]:
    rows = list(session.exec(select(Region).where(col(Region.slug).in_(slugs))).all())
    missing = sorted(set(slugs) - {row.slug for row in rows})
    if missing:
        raise AccountError(f"unknown region(s): {', '.join(missing)}")
    return rows


def set_password(session: Session, settings: CampagneSettings, user: UserAccount,
                 password: str) -> None:
    """Change the password and end every session and token of the account."""
    if problem := password_problem(password):
        raise AccountError(f"password: {problem}")
    user.password_hash = hash_password(settings, password)
    session.add(user)
    session.commit()
    assert user.id is not None
    tokens.revoke_all(session, user.id)


def deactivate(session: Session, user: UserAccount) -> None:
    """Block the account and end its credentials."""
    user.active = False
    session.add(user)
    session.commit()
    assert user.id is not None
    tokens.revoke_all(session, user.id)


def delete_scopes(session: Session, user_id: int) -> None:
    """Remove an account's regions (the caller commits)."""
    session.exec(delete(UserRegion).where(
        col(UserRegion.user_id) == user_id))


def find_account(session: Session, email: str) -> UserAccount | None:
    """The account registered under ``email``, if any."""
    return session.exec(select(UserAccount).where(
        UserAccount.email == normalise_email(email))).first()


__all__ = ["AccountError", "CredentialKind", "create_account", "deactivate", "find_account",
           "set_password"]
