"""The tables of accounts, credentials, sign-in attempts and the audit trail.
Every piece of state lives in the database, so several workers can serve one instance."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from campagne.models import utc_now


class Role(StrEnum):
    """What an account may do."""

    ADMIN = "admin"
    STAFF = "staff"
    MEMBER = "member"


class CredentialKind(StrEnum):
    """What a stored credential is for."""

    API = "api"
    SESSION = "session"
    RESET = "reset"
    INVITE = "invite"


class UserAccount(SQLModel, table=True):
    """A person who signs in: an administrator, region staff or a member."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=200, unique=True, index=True)
    display_name: str | None = Field(default=None, max_length=120, description=(
        "The name staff pages show for the account (an adviser's); the e-mail when empty"))
    password_hash: str | None = Field(default=None, max_length=200)
    role: str = Field(max_length=20, description="One of Role")
    read_only: bool = Field(default=False, description="Staff who may read but not change")
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    active: bool = True
    created_at: dt.datetime = Field(default_factory=utc_now)
    last_login_at: dt.datetime | None = None
    language: str = Field(default="fr", max_length=2,
                          description="The language of the e-mails sent to the person (fr, en)")

    @property
    def shown_name(self) -> str:
        """The name the pages show: the display name, or the e-mail address."""
        return self.display_name or self.email


class UserRegion(SQLModel, table=True):
    """A region a staff account works on."""

    __tablename__ = "user_region"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    region_id: int = Field(foreign_key="region.id", primary_key=True)


class Credential(SQLModel, table=True):
    """A secret handed to an account (API token, session, reset or invitation link).
    Only its SHA-256 digest is stored."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    kind: str = Field(max_length=20, description="One of CredentialKind")
    digest: str = Field(max_length=64, unique=True, index=True)
    csrf_token: str | None = Field(default=None, max_length=64)
    created_at: dt.datetime = Field(default_factory=utc_now)
    expires_at: dt.datetime
    last_used_at: dt.datetime = Field(default_factory=utc_now)
    revoked_at: dt.datetime | None = None


class LoginAttempt(SQLModel, table=True):
    """A failed sign-in, counted per account and per address to slow down guessing."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=250, index=True, description="'account:EMAIL' or 'address:IP'")
    at: dt.datetime = Field(default_factory=utc_now, index=True)


class SignInCounter(SQLModel, table=True):
    """Recent sign-in attempts of one (account, address) pair, one address or one account,
    or the last success of a pair ("known"). The key is a keyed digest: neither the name
    typed nor the address is kept in clear. See docs/decisions/0018-sign-in-throttling.md."""

    __tablename__ = "sign_in_counter"

    key: str = Field(primary_key=True, max_length=80, description="'KIND:DIGEST'")
    attempts: int = 0
    last_at: dt.datetime = Field(default_factory=utc_now, index=True)
    next_allowed_at: dt.datetime | None = Field(
        default=None, description="An account slowed down: no attempt before then")
    version: int = Field(default=0, description="Bumped by every change (compare-and-set)")


class AuditEvent(SQLModel, table=True):
    """Who read, changed or exported which personal record, when and from where.
    The application only ever inserts rows here."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utc_now, index=True)
    actor_id: int | None = Field(default=None, index=True)
    actor_email: str | None = Field(default=None, max_length=200)
    action: str = Field(max_length=40, index=True)
    region_slug: str | None = Field(default=None, max_length=40, index=True)
    target: str | None = Field(default=None, max_length=80)
    address: str | None = Field(default=None, max_length=64)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
