"""``/api/v1/regions/{slug}/members/{member_id}/follow-up``, ``.../milestones`` and
``.../services``: the follow-up of a member's professional project, for the region's staff
only. Every read and change is written to the audit trail; read-only staff may read."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from campagne.api.bounds import Id
from campagne.api.deps import InstanceDep, SessionDep
from campagne.api.security import (
    SIGNED_IN,
    PrincipalDep,
    ReaderRegionDep,
    WriterRegionDep,
    client_address,
)
from campagne.auth import audit
from campagne.auth.access import Principal
from campagne.auth.models import Role
from campagne.features.followup import records as followup
from campagne.features.followup.delivery import record_service_delivered
from campagne.features.followup.schemas import (
    FollowUpOut,
    MilestoneChange,
    MilestoneIn,
    MilestoneOut,
    ServiceUseIn,
    ServiceUseOut,
)
from campagne.gdpr import region_member
from campagne.models import Member

router = APIRouter(prefix="/api/v1/regions/{slug}/members/{member_id}", tags=["follow-up"],
                   dependencies=[SIGNED_IN])
NOT_FOUND = HTTPException(status_code=404, detail="Unknown member")
ENTRY_NOT_FOUND = HTTPException(status_code=404, detail="Unknown entry")
ALREADY = "This milestone is already recorded for the member; correct it with PATCH"


def invalid(field: str, message: str) -> RequestValidationError:
    """A 422 naming a field of the body."""
    return RequestValidationError([{"loc": ("body", field), "type": "value_error",
                                    "msg": message}])


def _member(session: Session, slug: str, member_id: int) -> Member:
    member = region_member(session, slug, member_id)
    if member is None:
        raise NOT_FOUND
    return member


def default_advisor(principal: Principal, slug: str) -> int | None:
    """The advisor when none is named: the caller, if a staff member of the region."""
    if principal.role is Role.STAFF and slug in principal.regions:
        return principal.user_id
    return None


def check_advisor(session: Session, slug: str, advisor_id: int | None) -> None:
    """A 422 unless ``advisor_id`` is empty or an active staff account of the region."""
    if advisor_id is not None and not followup.is_region_advisor(session, slug, advisor_id):
        raise invalid("advisor_id", "not an active staff account of this region")


def _audit(session: Session, request: Request, principal: Principal, action: str, slug: str,
           member_id: int, **detail: object) -> None:
    audit.record(session, principal.user, action, region_slug=slug,
                 target=f"member:{member_id}", address=client_address(request), **detail)


@router.get("/follow-up", summary="A member's milestones and services delivered")
def read_follow_up(request: Request, region: ReaderRegionDep, session: SessionDep,
                   principal: PrincipalDep, member_id: Id) -> FollowUpOut:
    """The follow-up of a member of the region (404 for other regions' ids)."""
    member = _member(session, region.slug, member_id)
    _audit(session, request, principal, "read", region.slug, member_id, part="follow-up")
    session.commit()
    return followup.follow_up(session, member, region.slug)


@router.post("/milestones", status_code=201, summary="Record a milestone reached",
             responses={409: {"description": "Already recorded for this member"}})
def add_milestone(request: Request, region: WriterRegionDep, session: SessionDep,
                  principal: PrincipalDep, member_id: Id, body: MilestoneIn) -> MilestoneOut:
    """One milestone per kind and member; a second one of the same kind is a 409."""
    member = _member(session, region.slug, member_id)
    advisor_id = body.advisor_id if "advisor_id" in body.model_fields_set else \
        default_advisor(principal, region.slug)
    check_advisor(session, region.slug, advisor_id)
    try:
        milestone = followup.add_milestone(session, member, kind=body.kind.value,
                                           reached_on=body.reached_on, advisor_id=advisor_id,
                                           note=body.note)
    except (followup.AlreadyRecorded, IntegrityError):  # IntegrityError: a concurrent twin
        session.rollback()
        raise HTTPException(status_code=409, detail=ALREADY) from None
    _audit(session, request, principal, "milestone_added", region.slug, member_id,
           kind=milestone.kind)
    session.commit()
    return followup.describe_milestone(session, milestone)


@router.patch("/milestones/{milestone_id}", summary="Correct a milestone",
              responses={409: {"description": "The member has a milestone of that kind"}})
def change_milestone(request: Request, region: WriterRegionDep, session: SessionDep,
                     principal: PrincipalDep, member_id: Id, milestone_id: Id,
                     body: MilestoneChange) -> MilestoneOut:
    """Change the fields sent (kind, day, advisor, note)."""
    _member(session, region.slug, member_id)
    milestone = followup.member_milestone(session, member_id, milestone_id)
    if milestone is None:
        raise ENTRY_NOT_FOUND
    values = body.model_dump(exclude_unset=True)
    if "reached_on" in values and values["reached_on"] is None:
        raise invalid("reached_on", "a milestone has a date")
    check_advisor(session, region.slug, values.get("advisor_id"))
    try:
        followup.change_milestone(session, milestone, values)
    except (followup.AlreadyRecorded, IntegrityError):
        session.rollback()
        raise HTTPException(status_code=409, detail=ALREADY) from None
    _audit(session, request, principal, "milestone_changed", region.slug, member_id,
           kind=milestone.kind, fields=sorted(values))
    session.commit()
    return followup.describe_milestone(session, milestone)


@router.delete("/milestones/{milestone_id}", status_code=204, summary="Remove a milestone")
def delete_milestone(request: Request, region: WriterRegionDep, session: SessionDep,
                     principal: PrincipalDep, member_id: Id, milestone_id: Id) -> Response:
    """Remove a milestone recorded by mistake."""
    _member(session, region.slug, member_id)
    milestone = followup.member_milestone(session, member_id, milestone_id)
    if milestone is None:
        raise ENTRY_NOT_FOUND
    _audit(session, request, principal, "milestone_removed", region.slug, member_id,
           kind=milestone.kind)
    session.delete(milestone)
    session.commit()
    return Response(status_code=204)


@router.post("/services", status_code=201, summary="Record a service delivered")
def add_service(request: Request, instance: InstanceDep, region: WriterRegionDep,
                session: SessionDep, principal: PrincipalDep, member_id: Id,
                body: ServiceUseIn) -> ServiceUseOut:
    """The service must be one of the region's catalogue (else 422 naming ``service``).
    Plug-ins receive an ``on_member_event`` of kind ``service_used``."""
    member = _member(session, region.slug, member_id)
    service = followup.catalogue_service(session, region.slug, body.service)
    if service is None:
        raise invalid("service", "not a service of this region's catalogue")
    advisor_id = body.advisor_id if "advisor_id" in body.model_fields_set else \
        default_advisor(principal, region.slug)
    check_advisor(session, region.slug, advisor_id)
    use = record_service_delivered(instance, session, region, member, service,
                                   used_on=body.used_on, advisor_id=advisor_id,
                                   actor=principal.user, address=client_address(request))
    return followup.describe_service_use(session, use, service)


@router.delete("/services/{service_use_id}", status_code=204,
               summary="Remove a service recorded by mistake")
def delete_service(request: Request, region: WriterRegionDep, session: SessionDep,
                   principal: PrincipalDep, member_id: Id, service_use_id: Id) -> Response:
    """Remove an entry of the services delivered."""
    _member(session, region.slug, member_id)
    use = followup.member_service_use(session, member_id, service_use_id)
    if use is None:
        raise ENTRY_NOT_FOUND
    _audit(session, request, principal, "service_removed", region.slug, member_id,
           service_use=service_use_id)
    session.delete(use)
    session.commit()
    return Response(status_code=204)
