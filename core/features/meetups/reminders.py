"""The reminder of a meetup, the day before: every confirmed sign-up of a meetup starting
"tomorrow" in Paris time (from the job's due time, not the clock) receives one, in the
language of the member's account (the instance's default for a guest or a member without
an account), guests with their cancellation link. A member who switched
``meetup_reminder`` off, or a region with ``notifications: {meetup_reminder: false}``,
receives none. Each e-mail has the registration's dedupe key: a second run sends nothing."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from campagne.features.meetups.mail import cancel_url, language
from campagne.features.meetups.models import Meetup, Registration
from campagne.features.meetups.rules import CONFIRMED, PARIS
from campagne.features.meetups.views import when_text
from campagne.instance import Instance
from campagne.models import Member, Region
from campagne.notifications.links import settings_url, site_url
from campagne.notifications.preferences import language_of, wants
from campagne.notifications.recipients import member_account
from campagne.notifications.regions import queue_in_regions
from campagne.notifications.templates import render_mail
from campagne.outbox.queue import queue_mail
from campagne.plugin_types import JobContext
from campagne.regions import RegionFolder

KIND = "meetup_reminder"


def run_reminders(context: JobContext) -> str:
    """The job: queue the reminders of every region where the meetups are on."""
    tomorrow = context.now.astimezone(PARIS).date() + dt.timedelta(days=1)
    queued = queue_in_regions(context, "meetup_reminder", lambda session, instance, folder:
                              queue_region_reminders(session, instance, folder, tomorrow))
    return f"{queued} reminder(s) queued for {tomorrow.isoformat()}"


def queue_region_reminders(session: Session, instance: Instance, region: RegionFolder,
                           day: dt.date) -> int:
    """Queue a reminder for each confirmed sign-up to the region's meetups starting on
    ``day`` (Paris); return how many were queued now."""
    start = dt.datetime.combine(day, dt.time(), PARIS).astimezone(dt.UTC)
    rows = session.exec(
        select(Registration, Meetup).join(Meetup, col(Meetup.id) == col(Registration.meetup_id))
        .join(Region, col(Region.id) == col(Meetup.region_id))
        .where(Region.slug == region.slug, col(Meetup.cancelled_at).is_(None),
               col(Meetup.starts_at) >= start,
               col(Meetup.starts_at) < start + dt.timedelta(days=1),
               Registration.status == CONFIRMED)
        .order_by(col(Registration.id))).all()
    return sum(_queue_one(session, instance, region, registration, meetup)
               for registration, meetup in rows)


def _queue_one(session: Session, instance: Instance, region: RegionFolder,
               registration: Registration, meetup: Meetup) -> bool:
    settings = instance.settings
    assert registration.id is not None
    to, account = registration.guest_email, None
    if registration.member_id is not None:
        member = session.get(Member, registration.member_id)
        to = member.email if member is not None and member.erased_at is None else None
        account = member_account(session, registration.member_id)
        if account is not None and account.id is not None and not wants(
                session, account.id, KIND):
            return False
    if not to:
        return False
    locale = language_of(account, settings.default_locale)
    with language(locale):
        when = when_text(meetup)
    mail = render_mail(region.path, KIND, locale, {
        "title": meetup.title, "when": when, "place": meetup.place, "address": meetup.address,
        "cancel_url": cancel_url(settings, region.slug, registration.id)
        if registration.member_id is None else None,
        "account_url": site_url(settings, "account/meetups"),
        "settings_url": settings_url(settings)})
    return queue_mail(session, settings, kind=KIND, to=to, subject=mail.subject,
                      body=mail.body, region_slug=region.slug,
                      dedupe_key=f"{KIND}:{registration.id}") is not None
