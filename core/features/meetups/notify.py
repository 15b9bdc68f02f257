"""After a sign-up change is committed: e-mail the people concerned and tell the plug-ins."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fastapi import BackgroundTasks
from sqlmodel import Session

from campagne.features.meetups.mail import Mail, build, language, queue_all
from campagne.features.meetups.rules import Notice
from campagne.instance import Instance
from campagne.plugin_types import EventRegistration
from campagne.regions import RegionFolder


def payload(notice: Notice) -> EventRegistration:
    """The hook's payload for a notice (ids and status only)."""
    return EventRegistration(meetup_id=notice.meetup_id, registration_id=notice.registration_id,
                             member_id=notice.member_id, status=notice.kind,
                             occurred_at=notice.occurred_at)


def after_commit(instance: Instance, region: RegionFolder, session: Session,
                 notices: Sequence[Notice], tasks: BackgroundTasks,
                 extra: Iterable[Mail] = ()) -> None:
    """Put the e-mails in the mail outbox (committed at once; ``campagne worker`` sends
    them) and call ``on_event_registration`` for each notice. The person acting is written
    to in the request's language; people promoted from the waiting list in the instance's
    default language."""
    settings = instance.settings
    mails = build(session, settings, region.slug,
                  [n for n in notices if n.kind != "promoted"])
    with language(settings.default_locale):
        mails += build(session, settings, region.slug,
                       [n for n in notices if n.kind == "promoted"])
    mails += list(extra)
    if mails:
        queue_all(session, settings, region.slug, mails)
        session.commit()
    info = region.info()
    for notice in notices:
        instance.plugins.notify_event_registration(info, payload(notice))
