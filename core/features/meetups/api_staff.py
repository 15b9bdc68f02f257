"""The staff's side of ``/api/v1/regions/{slug}/events`` (create, change, cancel, sign-ups,
attendance) and a member's own sign-ups (``/api/v1/me/registrations``). Every read of the
sign-ups and every change is written to the audit trail."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request
from pydantic import BaseModel
from sqlmodel import Session, col, select

from campagne.api.bounds import Id
from campagne.api.deps import InstanceDep, RegionDep, SessionDep
from campagne.api.security import (
    SIGNED_IN,
    MemberDep,
    PrincipalDep,
    ReaderRegionDep,
    WriterRegionDep,
    client_address,
    deny,
)
from campagne.auth import audit
from campagne.auth.access import Principal
from campagne.auth.models import Role
from campagne.features.meetups import actions
from campagne.features.meetups.api import context, error_status, meetup_or_404, result_of
from campagne.features.meetups.models import Meetup, Registration
from campagne.features.meetups.rules import (
    PARIS,
    MeetupError,
    aware,
    mark_attendance,
    waiting_position,
)
from campagne.features.meetups.schemas import (
    AttendanceIn,
    AttendanceOut,
    EventIn,
    EventOut,
    EventPatch,
    RegistrationOut,
    RegistrationResult,
    event_out,
    registration_out,
)
from campagne.features.meetups.views import sign_up_rows, summary
from campagne.models import Region
from campagne.regions import RegionFolder

router = APIRouter(prefix="/api/v1/regions/{slug}/events", tags=["events"],
                   dependencies=[SIGNED_IN])
mine = APIRouter(prefix="/api/v1/me", tags=["events"], dependencies=[SIGNED_IN])


@router.post("", status_code=201, summary="Create a meetup")
def create_event(request: Request, instance: InstanceDep, region: WriterRegionDep,
                 session: SessionDep, principal: PrincipalDep, body: EventIn) -> EventOut:
    """A new meetup of the region; times without a zone are Paris time."""
    try:
        meetup = actions.create(context(request, instance, region, session, BackgroundTasks()),
                                principal, body.model_dump())
    except MeetupError as exc:
        raise error_status(exc) from None
    return event_out(summary(session, meetup), region.slug)


@router.patch("/{event_id}", summary="Change or cancel a meetup",
              responses={409: {"description": "The meetup changed since it was read"}})
def patch_event(request: Request, instance: InstanceDep, region: WriterRegionDep,
                session: SessionDep, principal: PrincipalDep, event_id: Id, body: EventPatch,
                tasks: BackgroundTasks) -> EventOut:
    """Apply the fields sent if ``version`` is the one last read (else 409). Raising
    ``capacity`` gives places to the people waiting; ``cancelled: true`` cancels the meetup
    and tells everyone signed up."""
    meetup_or_404(session, region.slug, event_id)
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    try:
        meetup, _ = actions.edit(context(request, instance, region, session, tasks), principal,
                                 event_id, body.version, changes)
    except MeetupError as exc:
        raise error_status(exc) from None
    return event_out(summary(session, meetup), region.slug)


@router.get("/{event_id}/registrations", summary="The sign-ups of a meetup (staff only)")
def list_registrations(request: Request, region: ReaderRegionDep, session: SessionDep,
                       principal: PrincipalDep, event_id: Id) -> list[RegistrationOut]:
    """Everyone signed up, waiting or cancelled, in order of arrival; the read is audited."""
    meetup = meetup_or_404(session, region.slug, event_id)
    assert meetup.id is not None
    rows = sign_up_rows(session, meetup.id)
    audit.record(session, principal.user, "list", region_slug=region.slug,
                 target=f"meetup:{event_id}:registrations", address=client_address(request),
                 count=len(rows))
    session.commit()
    return [registration_out(row) for row in rows]


@router.post("/{event_id}/registrations/{registration_id}/cancel",
             summary="Cancel a sign-up (the member themself, or the region's staff)",
             responses={404: {"description": "No such sign-up the caller may cancel"},
                        409: {"description": "The meetup has started"}})
def cancel(request: Request, instance: InstanceDep, region: RegionDep, session: SessionDep,
           principal: PrincipalDep, event_id: Id, registration_id: Id,
           tasks: BackgroundTasks) -> RegistrationResult:
    """The place freed goes to the first person waiting, who is told by e-mail. Refused
    (409) once the meetup has started."""
    own = _cancellable(request, session, region, principal, event_id, registration_id)
    try:
        registration = actions.cancel_sign_up(
            context(request, instance, region, session, tasks), event_id, registration_id,
            None if own else principal)
    except MeetupError as exc:
        raise error_status(exc) from None
    return result_of(session, registration)


def _cancellable(request: Request, session: Session, region: RegionFolder,
                 principal: Principal, event_id: int, registration_id: int) -> bool:
    """Whether the caller cancels their own sign-up (else they are the region's writing
    staff). The right is checked before any lookup, so that the answer for another region's
    sign-up is the answer for a missing one (no existence oracle)."""
    if principal.role is not Role.MEMBER and not principal.can_write_region(region.slug):
        raise deny(session, request, principal, region.slug)
    meetup = meetup_or_404(session, region.slug, event_id)
    row = session.get(Registration, registration_id)
    if row is None or row.meetup_id != meetup.id:
        raise HTTPException(status_code=404, detail="Unknown registration")
    if principal.role is Role.MEMBER and (
            row.member_id is None or row.member_id != principal.user.member_id):
        raise HTTPException(status_code=404, detail="Unknown registration")
    return principal.role is Role.MEMBER


@router.put("/{event_id}/attendance", summary="Mark who attended a meetup",
            responses={409: {"description": "The meetup is cancelled"}})
def attendance(request: Request, region: WriterRegionDep, session: SessionDep,
               principal: PrincipalDep, event_id: Id, body: AttendanceIn) -> AttendanceOut:
    """``attended`` true, false or null per confirmed sign-up; answers the counts."""
    meetup = meetup_or_404(session, region.slug, event_id)
    try:
        changed = mark_attendance(session, meetup, {
            mark.registration_id: mark.attended for mark in body.marks})
    except MeetupError as exc:
        session.rollback()
        raise error_status(exc) from None
    audit.record(session, principal.user, "attendance", region_slug=region.slug,
                 target=f"meetup:{event_id}", address=client_address(request),
                 count=len(changed))
    session.commit()
    return attendance_counts(session, meetup.id or 0, changed)


def attendance_counts(session: Session, meetup_id: int, changed: list[int]) -> AttendanceOut:
    """How many confirmed sign-ups came, did not, or are not known yet."""
    marks = session.exec(select(Registration.attended).where(
        Registration.meetup_id == meetup_id, Registration.status == "confirmed")).all()
    return AttendanceOut(confirmed=len(marks), attended=sum(m is True for m in marks),
                         absent=sum(m is False for m in marks),
                         unknown=sum(m is None for m in marks), changed=changed)


class MyRegistration(BaseModel):
    """One of the signed-in member's sign-ups."""

    id: int
    event_id: int
    region: str
    title: str
    starts_at: dt.datetime
    status: str
    position: int | None
    event_cancelled: bool


def my_registrations(session: Session, member_id: int) -> list[MyRegistration]:
    """A member's sign-ups, latest meetups first."""
    rows = session.exec(select(Registration, Meetup, Region)
                        .join(Meetup, col(Meetup.id) == col(Registration.meetup_id))
                        .join(Region, col(Region.id) == col(Meetup.region_id))
                        .where(Registration.member_id == member_id)
                        .order_by(col(Meetup.starts_at).desc(), col(Registration.id))).all()
    return [MyRegistration(
        id=r.id or 0, event_id=m.id or 0, region=region.slug, title=m.title,
        starts_at=aware(m.starts_at).astimezone(PARIS), status=r.status,
        position=waiting_position(session, r), event_cancelled=m.cancelled_at is not None)
        for r, m, region in rows]


@mine.get("/registrations", summary="My sign-ups to meetups")
def list_mine(session: SessionDep, principal: MemberDep) -> list[MyRegistration]:
    """Cancel one with ``POST /api/v1/regions/{slug}/events/{id}/registrations/{id}/cancel``."""
    return my_registrations(session, principal.user.member_id or 0)
