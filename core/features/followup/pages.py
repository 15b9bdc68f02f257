"""Staff pages: the forms of the "Follow-up" section of a member's record (milestones
reached and services delivered). Each answers with the record's page and a notice."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from campagne.api.bounds import Id, parse_id
from campagne.api.deps import InstanceDep, SessionDep
from campagne.api.security import client_address
from campagne.auth import audit
from campagne.auth.access import Principal
from campagne.config import localize
from campagne.features.followup import records as followup
from campagne.features.followup.delivery import record_service_delivered
from campagne.features.followup.models import MilestoneKind
from campagne.features.followup.schemas import NOTE_LENGTH
from campagne.gdpr import region_member
from campagne.i18n import current_locale, gettext
from campagne.models import Member, Service
from campagne.regions import RegionFolder
from campagne.web.confirm import ConfirmField, Question, ask, confirmed
from campagne.web.pages import RendererDep
from campagne.web.sessions import CSRF_CHECKED, SIGNED_IN_PAGE, PagePrincipalDep
from campagne.web.staff_pages import StaffRegionDep
from campagne.web.templating import Renderer

router = APIRouter(prefix="/{slug}/staff/members/{member_id}", include_in_schema=False,
                   dependencies=[SIGNED_IN_PAGE])
FormText = Annotated[str, Form(max_length=40)]
def _record(session: Session, region_slug: str, member_id: int, principal: Principal) -> Member:
    """The member, if the caller may change the region's records (else 403/404)."""
    if not principal.can_write_region(region_slug):
        raise HTTPException(status_code=403, detail=gettext("Your account is read-only."))
    member = region_member(session, region_slug, member_id)
    if member is None:
        raise HTTPException(status_code=404, detail=gettext("This record does not exist."))
    return member


def _back(region_slug: str, member_id: int, notice: str) -> Response:
    return RedirectResponse(f"/{region_slug}/staff/members/{member_id}?followup={notice}"
                            "#follow-up", status_code=303)


def _day(text: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        return None
    return day if day <= dt.date.today() else None


def _advisor(session: Session, region_slug: str, text: str) -> tuple[bool, int | None]:
    """Whether the choice is valid, and the advisor chosen (``None``: none)."""
    if not text.strip():
        return True, None
    number = parse_id(text)
    if number is not None and followup.is_region_advisor(session, region_slug, number):
        return True, number
    return False, None


def _ask_removal(request: Request, renderer: Renderer, region: RegionFolder, member: Member,
                 entry: str) -> Response:
    """The page that asks before an entry of the follow-up is removed."""
    return ask(request, renderer, Question(
        title=gettext("Remove “%(entry)s” from the follow-up of %(name)s?") % {
            "entry": entry, "name": f"{member.first_name} {member.last_name}"},
        consequence=gettext("Remove an entry only when it was recorded by mistake: the "
                            "follow-up and the region's figures no longer count it."),
        button=gettext("Remove the entry"),
        back=f"/{region.slug}/staff/members/{member.id}#follow-up"), region=region, page="staff")


def _audit(session: Session, request: Request, principal: Principal, action: str,
           region_slug: str, member_id: int, **detail: object) -> None:
    audit.record(session, principal.user, action, region_slug=region_slug,
                 target=f"member:{member_id}", address=client_address(request), **detail)


@router.post("/milestones", dependencies=[CSRF_CHECKED])
def add_milestone(request: Request, session: SessionDep, region: StaffRegionDep,
                  principal: PagePrincipalDep, member_id: Id, kind: FormText,
                  reached_on: FormText, advisor_id: FormText = "",
                  note: Annotated[str, Form(max_length=NOTE_LENGTH)] = "") -> Response:
    """Record a milestone; the page comes back with a notice."""
    member = _record(session, region.slug, member_id, principal)
    day, (valid, advisor) = _day(reached_on), _advisor(session, region.slug, advisor_id)
    if kind not in {k.value for k in MilestoneKind}:
        return _back(region.slug, member_id, "invalid-kind")
    if day is None:
        return _back(region.slug, member_id, "invalid-date")
    if not valid:
        return _back(region.slug, member_id, "invalid-advisor")
    try:
        followup.add_milestone(session, member, kind=kind, reached_on=day,
                               advisor_id=advisor, note=note.strip() or None)
    except (followup.AlreadyRecorded, IntegrityError):
        session.rollback()
        return _back(region.slug, member_id, "duplicate")
    _audit(session, request, principal, "milestone_added", region.slug, member_id, kind=kind)
    session.commit()
    return _back(region.slug, member_id, "saved")


@router.post("/milestones/{milestone_id}/delete", dependencies=[CSRF_CHECKED])
def delete_milestone(request: Request, session: SessionDep, renderer: RendererDep,
                     region: StaffRegionDep, principal: PagePrincipalDep, member_id: Id,
                     milestone_id: Id, confirm: ConfirmField = "") -> Response:
    """Remove a milestone, once confirmed; removing one already gone changes nothing (a
    second click)."""
    member = _record(session, region.slug, member_id, principal)
    milestone = followup.member_milestone(session, member_id, milestone_id)
    if milestone is not None and not confirmed(confirm):
        label = followup.MILESTONE_LABELS.get(milestone.kind)
        return _ask_removal(request, renderer, region, member,
                            gettext(label) if label else milestone.kind)
    if milestone is not None:
        _audit(session, request, principal, "milestone_removed", region.slug, member_id,
               kind=milestone.kind)
        session.delete(milestone)
        session.commit()
    return _back(region.slug, member_id, "removed")


@router.post("/services", dependencies=[CSRF_CHECKED])
def add_service(request: Request, instance: InstanceDep, session: SessionDep,
                region: StaffRegionDep, principal: PagePrincipalDep, member_id: Id,
                service: FormText, used_on: FormText, advisor_id: FormText = "") -> Response:
    """Record a service of the region's catalogue delivered to the member."""
    member = _record(session, region.slug, member_id, principal)
    found = followup.catalogue_service(session, region.slug, service)
    day, (valid, advisor) = _day(used_on), _advisor(session, region.slug, advisor_id)
    if found is None:
        return _back(region.slug, member_id, "invalid-service")
    if day is None:
        return _back(region.slug, member_id, "invalid-date")
    if not valid:
        return _back(region.slug, member_id, "invalid-advisor")
    record_service_delivered(instance, session, region, member, found, used_on=day,
                             advisor_id=advisor, actor=principal.user,
                             address=client_address(request))
    return _back(region.slug, member_id, "saved")


@router.post("/services/{service_use_id}/delete", dependencies=[CSRF_CHECKED])
def delete_service(request: Request, session: SessionDep, renderer: RendererDep,
                   region: StaffRegionDep, principal: PagePrincipalDep, member_id: Id,
                   service_use_id: Id, confirm: ConfirmField = "") -> Response:
    """Remove a service recorded by mistake, once confirmed (a second click changes
    nothing)."""
    member = _record(session, region.slug, member_id, principal)
    use = followup.member_service_use(session, member_id, service_use_id)
    if use is not None and not confirmed(confirm):
        service = session.get(Service, use.service_id)
        name = (localize(service.name, current_locale.get()) or service.slug) if service \
            else str(service_use_id)
        return _ask_removal(request, renderer, region, member, name)
    if use is not None:
        _audit(session, request, principal, "service_removed", region.slug, member_id,
               service_use=service_use_id)
        session.delete(use)
        session.commit()
    return _back(region.slug, member_id, "removed")
