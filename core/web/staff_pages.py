"""Staff pages: a region's member records (list, search, read, edit, erase)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from campagne.api.bounds import Id, Page, Version
from campagne.api.deps import InstanceDep, SessionDep
from campagne.api.member_schemas import MemberSearch, StaffUpdate
from campagne.api.members import search_members
from campagne.api.security import client_address, deny
from campagne.auth import audit
from campagne.auth.access import Principal
from campagne.gdpr import (
    VersionConflict,
    apply_update,
    consents_of,
    member_out,
    record_consent,
    region_member,
)
from campagne.i18n import gettext
from campagne.operations import member_erasure
from campagne.operations.member_events import member_status_changed
from campagne.operations.timeline import member_timeline
from campagne.regions import RegionFolder
from campagne.taxonomy import SECTORS
from campagne.web.confirm import ConfirmField, Question, ask, confirmed
from campagne.web.labels import CONSENT_PURPOSES
from campagne.web.pages import PageRegionDep, RendererDep
from campagne.web.paging import Pager
from campagne.web.sessions import CSRF_CHECKED, SIGNED_IN_PAGE, PagePrincipalDep
from campagne.web.timeline_view import timeline_items

router = APIRouter(prefix="/{slug}/staff", include_in_schema=False,
                   dependencies=[SIGNED_IN_PAGE])
STATUSES = ("settling", "settled", "left", "prospect", "declined")
Optional = Annotated[str, Form(max_length=120)]


def staff_region(request: Request, session: SessionDep, region: PageRegionDep,
                 principal: PagePrincipalDep) -> RegionFolder:
    """The region in the path, if the signed-in account is its staff or an administrator."""
    if not principal.can_read_region(region.slug):
        deny(session, request, principal, region.slug)
        raise HTTPException(status_code=403, detail=gettext("You cannot see this region."))
    return region


StaffRegionDep = Annotated[RegionFolder, Depends(staff_region)]


def _writer(region: RegionFolder, principal: Principal) -> None:
    if not principal.can_write_region(region.slug):
        raise HTTPException(status_code=403, detail=gettext("Your account is read-only."))


def _list(request: Request, session: SessionDep, renderer: RendererDep, region: RegionFolder,
          principal: Principal, criteria: MemberSearch) -> HTMLResponse:
    result = search_members(session, region.slug, criteria)
    audit.record(session, principal.user, "list", region_slug=region.slug, target="members",
                 address=client_address(request), count=len(result.items))
    session.commit()
    return renderer.render(request, "account/staff_members.html", {
        "result": result, "criteria": criteria, "sectors": [s.slug for s in SECTORS],
        "pager": Pager(result.page, result.per_page, result.total),
        "statuses": STATUSES, "csrf": request.state.csrf_token}, region=region, page="staff")


@router.get("/members", response_class=HTMLResponse)
def members(request: Request, session: SessionDep, renderer: RendererDep,
            region: StaffRegionDep, principal: PagePrincipalDep,
            page: Page = 1) -> HTMLResponse:
    """The region's members, newest first, one page."""
    return _list(request, session, renderer, region, principal,
                 MemberSearch(page=max(page, 1)))


@router.post("/members", response_class=HTMLResponse, dependencies=[CSRF_CHECKED])
def search(request: Request, session: SessionDep, renderer: RendererDep,
           region: StaffRegionDep, principal: PagePrincipalDep, name: Optional = "",
           sector: Optional = "", commune: Optional = "", status: Optional = "",
           page: Annotated[Page, Form()] = 1) -> HTMLResponse:
    """Search by name, sector, commune and status (sent in the body, never in the URL)."""
    criteria = MemberSearch(name=name or None, sector=sector or None, commune=commune or None,
                            status=status if status in STATUSES else None,
                            page=page)
    return _list(request, session, renderer, region, principal, criteria)


@router.get("/members/{member_id}", response_class=HTMLResponse)
def member_page(request: Request, session: SessionDep, renderer: RendererDep,
                region: StaffRegionDep, principal: PagePrincipalDep,
                member_id: Id) -> HTMLResponse:
    """One record, with the edit form for staff who may write."""
    member = region_member(session, region.slug, member_id)
    if member is None:
        raise HTTPException(status_code=404, detail=gettext("This record does not exist."))
    audit.record(session, principal.user, "read", region_slug=region.slug,
                 target=f"member:{member_id}", address=client_address(request))
    session.commit()
    context: dict[str, Any] = {
        "record": member_out(member, region.slug), "statuses": STATUSES,
        "consents": consents_of(session, member), "purposes": CONSENT_PURPOSES,
        "can_write": principal.can_write_region(region.slug), "principal": principal,
        "csrf": request.state.csrf_token, "conflict": request.query_params.get("conflict"),
        # the member's whole history, their inquiries' included
        "timeline": timeline_items(session, region, member_timeline(session, member))}
    # The features' parts of a member's page (hook page_panels: the follow-up...).
    context["panels"] = renderer.panels(request, "staff_member", region, session, member_id,
                                        context)
    return renderer.render(request, "account/staff_member.html", context, region=region,
                           page="staff")


@router.post("/members/{member_id}", dependencies=[CSRF_CHECKED])
def edit(request: Request, instance: InstanceDep, session: SessionDep, region: StaffRegionDep,
         principal: PagePrincipalDep, member_id: Id, version: Annotated[Version, Form()],
         email: Optional = "", phone: Optional = "", commune: Optional = "",
         status: Optional = "") -> Response:
    """Save the form; a stale version sends back to the record with a conflict notice."""
    _writer(region, principal)
    member = region_member(session, region.slug, member_id)
    if member is None:
        raise HTTPException(status_code=404, detail=gettext("This record does not exist."))
    url = f"/{region.slug}/staff/members/{member_id}"
    previous_status = member.status
    try:
        values: dict[str, object] = {"email": email or None, "phone": phone or None,
                                     "commune": commune or None}
        if status in STATUSES:
            values["status"] = status
        fields = apply_update(session, member, StaffUpdate.model_validate(
            {"version": version, **values}))
    except VersionConflict:
        return RedirectResponse(f"{url}?conflict=1", status_code=303)
    audit.record(session, principal.user, "update", region_slug=region.slug,
                 target=f"member:{member_id}", address=client_address(request), fields=fields)
    session.commit()
    member_status_changed(instance, session, region, member, previous_status)  # pipeline
    return RedirectResponse(url, status_code=303)


@router.post("/members/{member_id}/erase", dependencies=[CSRF_CHECKED])
def erase(request: Request, instance: InstanceDep, session: SessionDep, renderer: RendererDep,
          region: StaffRegionDep, principal: PagePrincipalDep, member_id: Id,
          tasks: BackgroundTasks, confirm: ConfirmField = "") -> Response:
    """Anonymise the record (the aggregate figures stay the same) and give back the
    person's seats to come; first, a page asks for confirmation."""
    _writer(region, principal)
    member = region_member(session, region.slug, member_id)
    if member is None:
        raise HTTPException(status_code=404, detail=gettext("This record does not exist."))
    url = f"/{region.slug}/staff/members/{member_id}"
    if not confirmed(confirm):
        return ask(request, renderer, Question(
            title=gettext("Erase %(name)s?") % {"name": f"{member.first_name} "
                                                        f"{member.last_name}"},
            consequence=gettext("Identity and contact details are removed for good; the "
                                "region's figures do not change. This cannot be undone."),
            button=gettext("Erase for good"), back=url), region=region, page="staff")
    member_erasure.erase(instance, session, region, member, principal.user,
                         client_address(request), tasks)
    return RedirectResponse(url, status_code=303)


@router.post("/members/{member_id}/consents", dependencies=[CSRF_CHECKED])
def add_consent(request: Request, session: SessionDep, region: StaffRegionDep,
                principal: PagePrincipalDep, member_id: Id,
                purpose: Annotated[str, Form(max_length=40)]) -> Response:
    """Record that the person consented to ``purpose`` today."""
    _writer(region, principal)
    member = region_member(session, region.slug, member_id)
    if member is None or purpose not in CONSENT_PURPOSES:
        raise HTTPException(status_code=404, detail=gettext("This record does not exist."))
    record_consent(session, member, purpose)
    audit.record(session, principal.user, "consent", region_slug=region.slug,
                 target=f"member:{member_id}", address=client_address(request), purpose=purpose)
    session.commit()
    return RedirectResponse(f"/{region.slug}/staff/members/{member_id}", status_code=303)
