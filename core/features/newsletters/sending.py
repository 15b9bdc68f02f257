"""Sending a newsletter: one outbox e-mail per consenting recipient of its segment, queued
in one transaction with the newsletter marked sent, what went to whom, and the audit
event. A newsletter is sent once: the mark is a conditional ``UPDATE`` that a second click,
or a second worker process, cannot win; and each e-mail has a dedupe key per newsletter
and address. ``campagne worker`` then sends them at the rate allowed
(``CAMPAGNE_NEWSLETTER_RATE_PER_MINUTE``)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col

from campagne.auth import audit
from campagne.auth.models import UserAccount
from campagne.features.newsletters.mail import dedupe_key, link_for, mail_headers, mail_text
from campagne.features.newsletters.models import Newsletter, NewsletterSend
from campagne.features.newsletters.segments import choice_of, recipients
from campagne.outbox.queue import queue_mail
from campagne.regions import RegionFolder
from campagne.settings import CampagneSettings

KIND = "newsletter"


class AlreadySent(Exception):
    """The newsletter was sent before (a second click)."""


def send_newsletter(session: Session, settings: CampagneSettings, region: RegionFolder,
                    newsletter: Newsletter, *, actor: UserAccount, address: str | None,
                    now: dt.datetime) -> int:
    """Queue ``newsletter`` for its segment and commit; return how many e-mails."""
    assert newsletter.id is not None
    marked = cast(CursorResult[Any], session.execute(
        update(Newsletter).where(col(Newsletter.id) == newsletter.id,
                                 col(Newsletter.sent_at).is_(None)).values(sent_at=now)))
    if marked.rowcount != 1:
        session.rollback()
        raise AlreadySent
    session.refresh(newsletter)
    programme = region.config.programme.name
    reply_to = region.config.programme.contact.email
    queued = 0
    for person in recipients(session, newsletter.region_id, choice_of(newsletter)):
        link = link_for(settings, region.slug, person.subscription_id, newsletter)
        mail = queue_mail(session, settings, kind=KIND, to=person.email,
                          subject=newsletter.subject,
                          body=mail_text(settings, programme, newsletter, link),
                          reply_to=reply_to, region_slug=region.slug,
                          headers=mail_headers(link),
                          dedupe_key=dedupe_key(newsletter.id, person.email))
        if mail is not None:
            session.add(NewsletterSend(newsletter_id=newsletter.id,
                                       subscription_id=person.subscription_id, queued_at=now))
            queued += 1
    newsletter.sent_count = queued
    session.add(newsletter)
    audit.record(session, actor, "newsletter_send", region_slug=region.slug,
                 target=f"newsletter:{newsletter.id}", address=address, count=queued,
                 segment=newsletter.segment)
    session.commit()
    return queued
