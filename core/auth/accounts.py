"""Creating and changing accounts (used by the command line and the admin page)."""

from __future__ import annotations

from sqlmodel import Session, col, delete, select

from campagne.auth import tokens
from campagne.auth.models import CredentialKind, Role, UserAccount, UserRegion
from campagne.auth.passwords import hash_password, password_problem
from campagne.models import Member, Region
from campagne.settings import CampagneSettings

NAME_LENGTH = 120


class AccountError(ValueError):
    """An account cannot be created or changed as asked (the message says why)."""


def normalise_email(email: str) -> str:
    """E-mail addresses are compared in lower case, without surrounding spaces."""
    return email.strip().lower()


def create_account(session: Session, settings: CampagneSettings, *, email: str, role: Role,
                   regions: list[str] | None = None, read_only: bool = False,
                   member_id: int | None = None, password: str | None = None,
                   name: str | None = None) -> UserAccount:
    """Create an account; staff need at least one region, members their record.
    Without a password the account can only be entered through an invitation link.
    ``name`` is what staff pages show for it (an adviser's name)."""
    email = normalise_email(email)
    display_name = clean_name(name)
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
    user = UserAccount(email=email, display_name=display_name, role=role.value,
                       read_only=read_only,
                       member_id=member_id if role is Role.MEMBER else None,
                       password_hash=hash_password(settings, password) if password else None)
    session.add(user)
    session.flush()
    assert user.id is not None
    for region in region_rows if role is Role.STAFF else []:
        assert region.id is not None
        session.add(UserRegion(user_id=user.id, region_id=region.id))
    return user


def clean_name(name: str | None) -> str | None:
    """A display name without surrounding spaces (``None`` when empty); too long raises."""
    cleaned = " ".join((name or "").split())
    if len(cleaned) > NAME_LENGTH:
        raise AccountError(f"a name has {NAME_LENGTH} characters at most")
    return cleaned or None


def rename(session: Session, user: UserAccount, name: str | None) -> bool:
    """Change the name the pages show for an account; whether it changed (the caller
    commits and audits)."""
    display_name = clean_name(name)
    if display_name == user.display_name:
        return False
    user.display_name = display_name
    session.add(user)
    return True


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


def change_access(session: Session, user: UserAccount, *, role: Role | None = None,
                  regions: list[str] | None = None, read_only: bool | None = None) -> list[str]:
    """Change what a staff or administrator account may reach; return what changed (the
    caller commits and audits). Members keep their role: their account is tied to their
    record. A staff account keeps at least one region. Every session and token of the account
    ends, so the new rights apply from its next sign-in."""
    current = Role(user.role)
    new_role = role or current
    if Role.MEMBER in (current, new_role) and new_role is not current:
        raise AccountError("a member account cannot change role; create a new account")
    assert user.id is not None
    old_slugs = sorted(session.exec(
        select(Region.slug).join(UserRegion, col(UserRegion.region_id) == col(Region.id))
        .where(UserRegion.user_id == user.id)).all())
    new_slugs = sorted(set(regions)) if regions is not None else old_slugs
    if new_role is Role.ADMIN:
        new_slugs = []
    region_rows = _regions(session, new_slugs)
    if new_role is Role.STAFF and not region_rows:
        raise AccountError("staff accounts need at least one region")
    changed = []
    if new_role is not current:
        changed.append(f"role: {current.value} -> {new_role.value}")
        user.role = new_role.value
    if new_slugs != old_slugs:
        changed.append(f"regions: {','.join(old_slugs) or '-'} -> {','.join(new_slugs) or '-'}")
        delete_scopes(session, user.id)
        for region in region_rows:
            assert region.id is not None
            session.add(UserRegion(user_id=user.id, region_id=region.id))
    if read_only is not None and read_only != user.read_only and new_role is not Role.ADMIN:
        changed.append(f"read_only: {user.read_only} -> {read_only}")
        user.read_only = read_only
    if new_role is Role.ADMIN and user.read_only:
        user.read_only = False
    if changed:
        session.add(user)
        session.flush()
        tokens.revoke_all(session, user.id, commit=False)
    return changed


def reactivate(session: Session, user: UserAccount) -> None:
    """Unblock an account (its old sessions stay ended; the caller commits)."""
    user.active = True
    session.add(user)


def delete_scopes(session: Session, user_id: int) -> None:
    """Remove an account's regions (the caller commits)."""
    session.exec(delete(UserRegion).where(
        col(UserRegion.user_id) == user_id))


def find_account(session: Session, email: str) -> UserAccount | None:
    """The account registered under ``email``, if any."""
    return session.exec(select(UserAccount).where(
        UserAccount.email == normalise_email(email))).first()


__all__ = ["AccountError", "CredentialKind", "change_access", "clean_name", "create_account",
           "deactivate", "find_account", "reactivate", "rename", "set_password"]
