"""A sign-up change's consequences: the e-mails to the people concerned, written to the
outbox with the change, then, once it is committed, the plug-ins told."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

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


def queue_notices(instance: Instance, region: RegionFolder, session: Session,
                  notices: Sequence[Notice], extra: Iterable[Mail] = ()) -> None:
    """Put the e-mails of ``notices`` (and ``extra``) in the mail outbox, in the change's
    transaction (the caller commits; ``campagne worker`` sends them). The person acting is
    written to in the request's language; people promoted from the waiting list in the
    instance's default language."""
    settings = instance.settings
    mails = build(session, settings, region.slug,
                  [n for n in notices if n.kind != "promoted"])
    with language(settings.default_locale):
        mails += build(session, settings, region.slug,
                       [n for n in notices if n.kind == "promoted"])
    mails += list(extra)
    queue_all(session, settings, region.slug, mails)


def after_commit(instance: Instance, region: RegionFolder, notices: Sequence[Notice]) -> None:
    """Call ``on_event_registration`` for each notice, once the change is committed."""
    info = region.info()
    for notice in notices:
        instance.plugins.notify_event_registration(info, payload(notice))
