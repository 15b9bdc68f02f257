"""Who may do what: roles and region scopes, resolved from an account."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from campagne.auth.models import Role, UserAccount, UserRegion
from campagne.models import Region


@dataclass(frozen=True)
class Principal:
    """A signed-in account with what it may reach."""

    user: UserAccount
    role: Role
    regions: frozenset[str]

    @property
    def user_id(self) -> int:
        """The account's id."""
        assert self.user.id is not None
        return self.user.id

    def can_read_region(self, slug: str) -> bool:
        """Staff of ``slug`` (read-only included) and administrators."""
        return self.role is Role.ADMIN or (self.role is Role.STAFF and slug in self.regions)

    def can_write_region(self, slug: str) -> bool:
        """Staff of ``slug`` who are not read-only, and administrators."""
        return self.can_read_region(slug) and not self.user.read_only


def principal_for(session: Session, user: UserAccount) -> Principal:
    """The principal of an account (its role and the slugs of its regions)."""
    slugs = session.exec(
        select(Region.slug).join(UserRegion, col(UserRegion.region_id) == col(Region.id))
        .where(UserRegion.user_id == user.id)).all()
    return Principal(user=user, role=Role(user.role), regions=frozenset(slugs))
