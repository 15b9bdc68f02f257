"""Who is signing whom up: the rules shared by the API and the pages.

* a signed-in member of the region signs themself up (nothing to give);
* anyone else gives a guest's name and e-mail address (rate-limited per address, as the
  other public forms);
* staff of the region who may write sign someone up on their behalf (a member id of the
  region, or a guest's name and address); read-only staff and other regions' staff may not.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from campagne.auth import ratelimit
from campagne.auth.access import Principal
from campagne.auth.models import Role
from campagne.features.meetups.rules import MeetupError, normalise_email
from campagne.gdpr import region_member
from campagne.i18n import format_wait, gettext
from campagne.settings import CampagneSettings


class NotAllowed(MeetupError):
    """The caller may not sign this person up."""


class TooManySignUps(MeetupError):
    """Too many guest sign-ups from this address or for this e-mail in the window; try
    again in ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def sign_up_wait_text(limit: int, window_minutes: int, wait: int) -> str:
    """What was limited and for how long, in the current language."""
    return gettext("This e-mail address or your connection has reached the limit of "
                   "%(limit)s guest sign-ups in %(window)s. You may sign up again in "
                   "%(wait)s.") % {"limit": limit, "window": format_wait(window_minutes * 60),
                                    "wait": format_wait(wait)}


@dataclass(frozen=True)
class Who:
    """The person to sign up, and who is doing it."""

    member_id: int | None = None
    guest_name: str | None = None
    guest_email: str | None = None
    registered_by_id: int | None = None


def _staff(principal: Principal | None) -> bool:
    return principal is not None and principal.role in (Role.STAFF, Role.ADMIN)


def own_member_id(session: Session, principal: Principal | None, region_slug: str
                  ) -> int | None:
    """The member id of a signed-in member of this region, else ``None``."""
    if principal is None or principal.role is not Role.MEMBER:
        return None
    member_id = principal.user.member_id
    if member_id is None or region_member(session, region_slug, member_id) is None:
        return None
    return member_id


def resolve(session: Session, settings: CampagneSettings, principal: Principal | None,
            region_slug: str, address: str | None, *, member_id: int | None,
            guest_name: str | None, guest_email: str | None) -> Who:
    """Decide who is signed up by whom, or raise (:class:`NotAllowed`,
    :class:`TooManySignUps`, :class:`MeetupError` naming the missing field)."""
    mine = own_member_id(session, principal, region_slug)
    if member_id is not None and member_id == mine:
        return Who(member_id=mine)
    if member_id is not None or (guest_email and _staff(principal)):
        if principal is None or not principal.can_write_region(region_slug):
            raise NotAllowed("Only the region's staff sign others up")
        if member_id is not None and region_member(session, region_slug, member_id) is None:
            raise MeetupError("not a member of this region", "member_id")
        return Who(member_id=member_id, guest_name=guest_name, guest_email=guest_email,
                   registered_by_id=principal.user_id)
    if guest_name and guest_email:
        keys = (f"meetup-signup:{normalise_email(guest_email)}",
                f"meetup-signup-from:{address}")
        if not all(ratelimit.take(session, settings, key) for key in keys):
            wait = ratelimit.retry_after(session, settings, keys)
            raise TooManySignUps(sign_up_wait_text(settings.login_max_failures,
                                                   settings.login_window_minutes, wait), wait)
        return Who(guest_name=guest_name, guest_email=guest_email)
    if mine is not None:
        return Who(member_id=mine)
    if principal is not None and principal.role is Role.MEMBER:
        raise NotAllowed("Members of another region sign up as guests")
    raise MeetupError("give guest_name and guest_email, or sign in as a member", "guest_email")
