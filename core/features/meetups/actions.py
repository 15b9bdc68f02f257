"""The meetups' state changes as use cases, written once for the API and the pages.

Each function owns its transaction: it ends the caller's reads (so that the meetup's lock is
taken afresh), applies the rule of :mod:`campagne.features.meetups.rules`, writes the audit
record, commits, then queues the e-mails and tells the plug-ins (``on_event_registration``).
A refusal rolls back (releasing the lock) and is raised as the rule's
:class:`~campagne.features.meetups.rules.MeetupError`, which each adapter words its own way
(an HTTP status for the API, a notice or a page for the pages).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import BackgroundTasks
from sqlmodel import Session

from campagne.auth import audit
from campagne.auth.access import Principal
from campagne.features.meetups.mail import meetup_cancelled
from campagne.features.meetups.models import Meetup, Registration
from campagne.features.meetups.notify import after_commit, queue_notices
from campagne.features.meetups.rules import (
    MeetupError,
    cancel_registration,
    create_meetup,
    region_id_of,
    register,
    update_meetup,
)
from campagne.features.meetups.signups import Who
from campagne.instance import Instance
from campagne.regions import RegionFolder


@dataclass(frozen=True)
class Context:
    """What a use case needs of the request that asks for it.

    :param instance: the running instance (settings, plug-ins).
    :param region: the region of the meetup.
    :param session: the request's session; the use case commits it.
    :param tasks: tasks run after the response (the e-mails need none: they are written to
        the mail outbox with the change).
    :param address: the client's address, for the audit trail.
    """

    instance: Instance
    region: RegionFolder
    session: Session
    tasks: BackgroundTasks
    address: str | None


@contextmanager
def _refusals_rolled_back(session: Session) -> Iterator[None]:
    """Roll back a refused change (releasing the meetup's lock) before it is raised."""
    try:
        yield
    except MeetupError:
        session.rollback()
        raise


def create(req: Context, staff: Principal, values: dict[str, Any]) -> Meetup:
    """Add a meetup of the region from checked ``values``, audited as ``create``."""
    session = req.session
    with _refusals_rolled_back(session):
        meetup = create_meetup(session, req.instance.settings,
                               region_id_of(session, req.region.slug), values)
    audit.record(session, staff.user, "create", region_slug=req.region.slug,
                 target=f"meetup:{meetup.id}", address=req.address)
    session.commit()
    return meetup


def edit(req: Context, staff: Principal, event_id: int, version: int,
         changes: dict[str, Any]) -> tuple[Meetup, list[str]]:
    """Apply ``changes`` to the meetup if ``version`` is current, audited as ``update``
    with the names of the fields changed; the people promoted by a raised capacity and,
    for a cancellation, everyone signed up are told. Returns the meetup and those names."""
    session = req.session
    session.commit()  # the update takes the meetup's lock afresh
    with _refusals_rolled_back(session):
        meetup, fields, notices = update_meetup(
            session, region_id_of(session, req.region.slug), event_id, version, changes)
    audit.record(session, staff.user, "update", region_slug=req.region.slug,
                 target=f"meetup:{event_id}", address=req.address, fields=fields)
    extra = meetup_cancelled(session, meetup) if "cancelled" in fields and \
        meetup.cancelled_at is not None else []
    queue_notices(req.instance, req.region, session, notices, extra)
    session.commit()
    after_commit(req.instance, req.region, notices)
    return meetup, fields


def sign_up(req: Context, event_id: int, who: Who, by: Principal | None) -> Registration:
    """Sign ``who`` up (a place, else the waiting list); a sign-up made on someone's behalf
    (``who.registered_by_id``) is audited as ``register`` under ``by``."""
    session = req.session
    session.commit()  # end the reads before: the sign-up takes the meetup's lock afresh
    with _refusals_rolled_back(session):
        registration, notice = register(
            session, region_id_of(session, req.region.slug), event_id,
            member_id=who.member_id, guest_name=who.guest_name,
            guest_email=who.guest_email, registered_by_id=who.registered_by_id)
    if who.registered_by_id is not None and by is not None:
        audit.record(session, by.user, "register", region_slug=req.region.slug,
                     target=f"registration:{registration.id}", address=req.address)
    queue_notices(req.instance, req.region, session, [notice])
    session.commit()
    after_commit(req.instance, req.region, [notice])
    return registration


def cancel_sign_up(req: Context, event_id: int, registration_id: int,
                   on_behalf: Principal | None) -> Registration:
    """Cancel a sign-up; the place freed goes to the first person waiting. A cancellation
    made for someone else (``on_behalf``: the staff member) is audited as ``cancel``."""
    session = req.session
    session.commit()
    with _refusals_rolled_back(session):
        registration, notices = cancel_registration(session, event_id, registration_id)
    if on_behalf is not None:
        audit.record(session, on_behalf.user, "cancel", region_slug=req.region.slug,
                     target=f"registration:{registration_id}", address=req.address)
    queue_notices(req.instance, req.region, session, notices)
    session.commit()
    after_commit(req.instance, req.region, notices)
    return registration
