"""``/api/v1/regions/{slug}/events``: the region's meetups and their sign-ups.

Anyone may read the meetups (counts of places, never a person) and sign up; the region's
staff create and change meetups, read the sign-ups (audited), cancel for someone and mark
attendance."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from sqlmodel import Session

from campagne.api.bounds import Id
from campagne.api.deps import InstanceDep, RegionDep, SessionDep
from campagne.api.security import UNAUTHORIZED, MaybePrincipalDep, client_address, deny
from campagne.features.meetups import actions
from campagne.features.meetups.models import Meetup, Registration
from campagne.features.meetups.rules import (
    AlreadyRegistered,
    CancellationClosed,
    MeetupError,
    SignUpClosed,
    StaleVersion,
    UnknownMeetup,
    region_id_of,
    region_meetup,
    waiting_position,
)
from campagne.features.meetups.schemas import (
    EventOut,
    RegistrationIn,
    RegistrationResult,
    event_out,
)
from campagne.features.meetups.signups import NotAllowed, TooManySignUps, resolve
from campagne.features.meetups.views import region_meetups, summaries, summary
from campagne.instance import Instance
from campagne.regions import RegionFolder

public = APIRouter(prefix="/api/v1/regions/{slug}/events", tags=["events"])
NOT_FOUND = HTTPException(status_code=404, detail="Unknown meetup")


def meetup_or_404(session: Session, region_slug: str, event_id: int) -> Meetup:
    """A meetup of the region, or 404."""
    meetup = region_meetup(session, region_id_of(session, region_slug), event_id)
    if meetup is None:
        raise NOT_FOUND
    return meetup


def error_status(exc: MeetupError) -> HTTPException | RequestValidationError:
    """The HTTP error for a refused change."""
    if isinstance(exc, UnknownMeetup):
        return HTTPException(status_code=404, detail=exc.message)
    if isinstance(exc, AlreadyRegistered | SignUpClosed | StaleVersion | CancellationClosed):
        return HTTPException(status_code=409, detail=exc.message)
    if isinstance(exc, TooManySignUps):
        return HTTPException(status_code=429, detail=exc.message,
                             headers={"Retry-After": str(exc.retry_after)})
    if isinstance(exc, NotAllowed):
        return HTTPException(status_code=403, detail=exc.message)
    if exc.field:  # answered like any invalid input: {"detail", "errors": [{"field", ...}]}
        return RequestValidationError([{"loc": ("body", exc.field), "msg": exc.message,
                                        "type": "value_error"}])
    return HTTPException(status_code=422, detail=exc.message)


@public.get("", summary="The region's meetups: upcoming and of the last three months")
def list_events(region: RegionDep, session: SessionDep) -> list[EventOut]:
    """Soonest first, cancelled ones included (with ``status: cancelled``)."""
    meetups = region_meetups(session, region_id_of(session, region.slug))
    return [event_out(item, region.slug) for item in summaries(session, meetups)]


@public.get("/{event_id}", summary="One meetup, with the places left")
def get_event(region: RegionDep, session: SessionDep, event_id: Id) -> EventOut:
    """No list of people: counts only."""
    return event_out(summary(session, meetup_or_404(session, region.slug, event_id)),
                     region.slug)


@public.post("/{event_id}/registrations", status_code=201, summary="Sign up for a meetup",
             responses={401: {"description": "Neither signed in nor a guest's name and e-mail"},
                        409: {"description": "Already signed up, or sign-ups closed"},
                        429: {"description": "Too many guest sign-ups from this address"}})
def sign_up(request: Request, instance: InstanceDep, region: RegionDep, session: SessionDep,
            principal: MaybePrincipalDep, event_id: Id, body: RegistrationIn,
            tasks: BackgroundTasks) -> RegistrationResult:
    """A signed-in member of the region sends an empty body; a guest sends ``guest_name``
    and ``guest_email``; staff of the region send ``member_id`` or a guest's name and
    address to sign them up. The answer says ``confirmed`` or ``waitlisted`` (with the
    position on the waiting list)."""
    meetup_or_404(session, region.slug, event_id)
    try:
        who = resolve(session, instance.settings, principal, region.slug,
                      client_address(request), member_id=body.member_id,
                      guest_name=body.guest_name, guest_email=body.guest_email)
    except NotAllowed as exc:
        if principal is None:
            raise UNAUTHORIZED from None
        raise deny(session, request, principal, region.slug) from exc
    except MeetupError as exc:
        raise error_status(exc) from None
    try:
        registration = actions.sign_up(context(request, instance, region, session, tasks),
                                       event_id, who, principal)
    except MeetupError as exc:
        raise error_status(exc) from None
    return result_of(session, registration)


def context(request: Request, instance: Instance, region: RegionFolder, session: Session,
            tasks: BackgroundTasks) -> actions.Context:
    """What the meetups' use cases need of an API request."""
    return actions.Context(instance, region, session, tasks, client_address(request))


def result_of(session: Session, registration: Registration) -> RegistrationResult:
    """Where a sign-up stands, with its position when waiting."""
    assert registration.id is not None
    return RegistrationResult(id=registration.id, event_id=registration.meetup_id,
                              status=registration.status,
                              position=waiting_position(session, registration))
