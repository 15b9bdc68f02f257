"""The confirmation of a desk booked for a member, with the booking as an ``.ics`` file:
written to the mail outbox in the booking's transaction, in the language of the member's
account (the instance's default without one). A guest booked by the staff has no address
and is not written to."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from icalendar import Calendar, Event
from sqlmodel import Session

from campagne import __version__
from campagne.features.spaces.models import Booking, BookingSlot, Space
from campagne.i18n import translations
from campagne.i18n_markers import N_
from campagne.instance import Instance
from campagne.models import Member
from campagne.notifications.links import site_url
from campagne.notifications.preferences import language_of
from campagne.notifications.recipients import member_account
from campagne.notifications.templates import render_mail
from campagne.outbox.queue import Attachment, queue_mail
from campagne.settings import CampagneSettings

KIND = "desk_booking"
SLOT_LABELS = {BookingSlot.DAY.value: N_("Whole day"), BookingSlot.MORNING.value: N_("Morning"),
               BookingSlot.AFTERNOON.value: N_("Afternoon")}


def queue_confirmation(session: Session, instance: Instance, region_slug: str,
                       booking: Booking) -> bool:
    """Queue the confirmation of ``booking`` to its member (the caller commits); ``False``
    when there is nobody to write to (a guest, a member without an address)."""
    member = session.get(Member, booking.member_id) if booking.member_id else None
    space = session.get(Space, booking.space_id)
    folder = instance.region(region_slug)
    if member is None or not member.email or space is None or folder is None:
        return False
    settings = instance.settings
    locale = language_of(member_account(session, booking.member_id or 0),
                         settings.default_locale)
    slot = translations(locale).gettext(SLOT_LABELS.get(booking.slot, booking.slot))
    mail = render_mail(folder.path, KIND, locale, {
        "space": space.name, "address": space.address, "opening_hours": space.opening_hours,
        "day": booking.day, "slot": slot, "programme": folder.config.programme.name,
        "account_url": site_url(settings, "account/")})
    queue_mail(session, settings, kind=KIND, to=member.email, subject=mail.subject,
               body=mail.body, region_slug=region_slug,
               attachments=[booking_invitation(settings, booking, space, slot)])
    return True


def booking_invitation(settings: CampagneSettings, booking: Booking, space: Space,
                       slot: str) -> Attachment:
    """The booking as an all-day event of its day (a half day says which in its title)."""
    event = Event()
    event.add("uid", f"desk-booking-{booking.id}@{_host(settings)}")
    event.add("dtstamp", booking.created_at)
    event.add("dtstart", booking.day)
    event.add("dtend", booking.day + dt.timedelta(days=1))
    event.add("summary", f"{space.name} ({slot})")
    event.add("location", ", ".join(p for p in (space.address, space.commune) if p))
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    feed = Calendar()
    feed.add("prodid", f"-//Campagne//Campagne {__version__}//FR")
    feed.add("version", "2.0")
    feed.add("method", "PUBLISH")
    feed.add_component(event)
    return Attachment(filename="booking.ics", content_type="text/calendar",
                      content=feed.to_ical().decode("utf-8"))


def _host(settings: CampagneSettings) -> str:
    return urlsplit(settings.public_url).hostname or "localhost"
