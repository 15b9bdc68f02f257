"""iCalendar feeds of the meetups (RFC 5545, written by the ``icalendar`` library).

Each meetup keeps its UID for life and its SEQUENCE goes up at each change a calendar shows
(time, place, title, cancellation), so calendar programs update the event in place; a
cancelled meetup stays in the feed with ``STATUS:CANCELLED`` so that it disappears from
subscribers' calendars. Times are given in Europe/Paris with its VTIMEZONE. Nothing about
the people signed up is ever written."""

from __future__ import annotations

from collections.abc import Iterable

from icalendar import Calendar, Event

from campagne import __version__
from campagne.features.meetups.models import Meetup
from campagne.features.meetups.rules import PARIS, aware
from campagne.outbox.queue import Attachment

MEDIA_TYPE = "text/calendar; charset=utf-8"


def meetup_event(meetup: Meetup, url: str) -> Event:
    """One VEVENT for ``meetup``; ``url`` is its public page."""
    event = Event()
    event.add("uid", meetup.uid)
    event.add("sequence", meetup.sequence)
    event.add("dtstamp", aware(meetup.updated_at))
    event.add("created", aware(meetup.created_at))
    event.add("last-modified", aware(meetup.updated_at))
    event.add("dtstart", aware(meetup.starts_at).astimezone(PARIS))
    event.add("dtend", aware(meetup.ends_at).astimezone(PARIS))
    event.add("summary", meetup.title)
    text = "\n\n".join(part for part in (meetup.theme, meetup.description) if part)
    if text:
        event.add("description", text)
    event.add("location", ", ".join(p for p in (meetup.place, meetup.address) if p))
    event.add("url", url)
    event.add("status", "CANCELLED" if meetup.cancelled_at is not None else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def calendar(name: str, meetups: Iterable[Meetup], page_url: str) -> bytes:
    """A calendar of ``meetups``; ``page_url`` is the listing (each event gets
    ``page_url/<id>``)."""
    feed = Calendar()
    feed.add("prodid", f"-//Campagne//Campagne {__version__}//FR")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    feed.add("x-wr-calname", name)
    feed.add("x-wr-timezone", "Europe/Paris")
    for meetup in meetups:
        feed.add_component(meetup_event(meetup, f"{page_url}/{meetup.id}"))
    feed.add_missing_timezones()
    body: bytes = feed.to_ical()
    return body


def invitation(meetup: Meetup, page_url: str) -> Attachment:
    """The meetup as an ``.ics`` file to attach to an e-mail (the same event, UID and
    SEQUENCE as in the region's feed, so a calendar keeps one copy)."""
    content = calendar(meetup.title, [meetup], page_url).decode("utf-8")
    return Attachment(filename="meetup.ics", content_type="text/calendar", content=content)
