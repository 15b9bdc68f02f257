"""What people are told by e-mail about their sign-ups, and the guests' cancellation links.

A guest's link carries the registration id and a keyed digest of it (HMAC-SHA256 with the
instance key, under its own label), so nobody can make one for someone else's sign-up and
nothing needs storing. It cancels that one sign-up, once: afterwards it only says the
sign-up is cancelled (a new sign-up gets a new id, hence a new link).

Messages are built while the request's data is at hand and written to the mail outbox in the
change's transaction (the seats an erasure gives back: right after its commit);
``campagne worker`` sends them, and a mail server that is down never undoes the sign-up nor
loses the message.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlmodel import Session, col, select

from campagne import i18n
from campagne.auth.secret import secret_key
from campagne.features.meetups.calendar import invitation
from campagne.features.meetups.models import Meetup, Registration
from campagne.features.meetups.rules import LIVE, Notice, waiting_position
from campagne.features.meetups.views import when_text
from campagne.i18n import gettext
from campagne.models import Member
from campagne.outbox.queue import Attachment, queue_mail
from campagne.settings import CampagneSettings

LABEL = b"meetup-cancel:"
#: The sign-up's confirmation page: says what became of it, cancels nothing.
CONFIRMATION = b"meetup-signed-up:"


@dataclass(frozen=True)
class Mail:
    """One message ready to go."""

    to: str
    subject: str
    body: str
    kind: str = "meetup"
    attachments: tuple[Attachment, ...] = ()


def cancel_token(settings: CampagneSettings, registration_id: int,
                 label: bytes = LABEL) -> str:
    """The secret of a guest's cancellation link (or, with another ``label``, of another
    address naming the registration)."""
    mac = hmac.new(secret_key(settings).encode(), label + str(registration_id).encode(),
                   hashlib.sha256).hexdigest()[:40]
    return f"{registration_id}.{mac}"


def token_registration(settings: CampagneSettings, token: str,
                       label: bytes = LABEL) -> int | None:
    """The registration id a secret was made for with ``label`` (``None`` if forged)."""
    head, _, _mac = token.partition(".")
    # ASCII only: int() takes other scripts' digits (and fails on '²'), and compare_digest
    # refuses str holding anything but ASCII.
    if not (token.isascii() and head.isdigit()) or len(head) > 18:
        return None
    expected = cancel_token(settings, int(head), label)
    return int(head) if hmac.compare_digest(expected, token) else None


def cancel_url(settings: CampagneSettings, region_slug: str, registration_id: int) -> str:
    """The address a guest opens to cancel."""
    return (f"{settings.public_url.rstrip('/')}/{region_slug}/rencontres/annulation"
            f"?token={cancel_token(settings, registration_id)}")


@contextmanager
def language(locale: str) -> Iterator[None]:
    """Write in ``locale`` for the duration of the block."""
    token = i18n.current_locale.set(locale)
    try:
        yield
    finally:
        i18n.current_locale.reset(token)


def when(meetup: Meetup) -> str:
    """Day and hours of a meetup, in Paris time and the current language."""
    return when_text(meetup)


def build(session: Session, settings: CampagneSettings, region_slug: str,
          notices: Iterable[Notice]) -> list[Mail]:
    """The messages for ``notices`` (confirmation, waiting list, promotion, cancellation);
    people without an e-mail address are skipped. A confirmed place comes with the meetup
    as an ``.ics`` file."""
    mails = []
    for notice in notices:
        registration = session.get(Registration, notice.registration_id)
        meetup = session.get(Meetup, notice.meetup_id)
        if registration is None or meetup is None:
            continue
        to = _address(session, registration)
        if to:
            attached = (invitation(meetup, page_url(settings, region_slug)),) \
                if notice.kind in ("confirmed", "promoted") else ()
            mails.append(Mail(to, *_text(session, settings, region_slug, meetup,
                                         registration, notice), kind=f"meetup_{notice.kind}",
                              attachments=attached))
    return mails


def page_url(settings: CampagneSettings, region_slug: str) -> str:
    """The region's list of meetups (each one's page is under it)."""
    return f"{settings.public_url.rstrip('/')}/{region_slug}/rencontres"


def _address(session: Session, registration: Registration) -> str | None:
    if registration.member_id is None:
        return registration.guest_email
    member = session.get(Member, registration.member_id)
    return member.email if member is not None and member.erased_at is None else None


def _text(session: Session, settings: CampagneSettings, region_slug: str, meetup: Meetup,
          registration: Registration, notice: Notice) -> tuple[str, str]:
    assert registration.id is not None
    facts = {"title": meetup.title, "when": when(meetup), "place": meetup.place}
    subject = {
        "confirmed": gettext("Your place at %(title)s is confirmed"),
        "waitlisted": gettext("You are on the waiting list for %(title)s"),
        "promoted": gettext("A place is now yours at %(title)s"),
        "cancelled": gettext("Your sign-up to %(title)s is cancelled"),
    }[notice.kind] % facts
    lines = [gettext("%(title)s, %(when)s, %(place)s.") % facts]
    if notice.kind == "waitlisted":
        lines.append(gettext("Your position on the waiting list: %(position)s. We will write "
                             "if a place frees up.") % {
            "position": waiting_position(session, registration) or "?"})
    if notice.kind != "cancelled":
        if registration.member_id is None:
            lines += [gettext("If you cannot come, cancel with this link so that someone "
                              "else can have your place:"),
                      cancel_url(settings, region_slug, registration.id)]
        else:
            lines += [gettext("If you cannot come, cancel from your account page:"),
                      f"{settings.public_url.rstrip('/')}/account/meetups"]
    return subject, "\n\n".join(lines) + "\n"


def queue_all(session: Session, settings: CampagneSettings, region_slug: str,
              mails: Iterable[Mail]) -> None:
    """Put each message in the mail outbox (the caller commits)."""
    for mail in mails:
        queue_mail(session, settings, kind=mail.kind, to=mail.to, subject=mail.subject,
                   body=mail.body, region_slug=region_slug, attachments=mail.attachments)


def meetup_cancelled(session: Session, meetup: Meetup) -> list[Mail]:
    """Messages telling everyone still signed up (or waiting) that the meetup is off."""
    rows = session.exec(select(Registration).where(
        Registration.meetup_id == meetup.id, col(Registration.status).in_(LIVE))).all()
    facts = {"title": meetup.title, "when": when(meetup), "place": meetup.place}
    subject = gettext("Cancelled: %(title)s") % facts
    body = gettext("%(title)s, planned for %(when)s at %(place)s, is cancelled. "
                   "We are sorry.") % facts + "\n"
    return [Mail(to, subject, body, kind="meetup_cancelled")
            for to in (_address(session, r) for r in rows) if to]
