"""The staff's newsletter pages: the list with each letter's figures (e-mails sent and
unsubscriptions, nothing else), writing a draft, its preview with the number of people it
will go to, and sending it. Read-only staff see but cannot write or send."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from campagne.api.bounds import Id
from campagne.api.deps import InstanceDep, SessionDep
from campagne.api.security import client_address
from campagne.auth.access import Principal
from campagne.features.newsletters.drafts import (
    BODY_LENGTH,
    SUBJECT_LENGTH,
    NotADraft,
    region_newsletter,
    region_newsletters,
    save_draft,
)
from campagne.features.newsletters.models import Newsletter, Segment
from campagne.features.newsletters.render import preview_html
from campagne.features.newsletters.segments import (
    LABELS,
    choice_of,
    communes,
    parse_choice,
    recipients,
)
from campagne.features.newsletters.sending import AlreadySent, send_newsletter
from campagne.i18n import gettext
from campagne.i18n_markers import N_
from campagne.models import utc_now
from campagne.plugin_data import region_id_of
from campagne.regions import RegionFolder
from campagne.taxonomy import SECTORS
from campagne.web.pages import RendererDep
from campagne.web.sessions import CSRF_CHECKED, SIGNED_IN_PAGE, PagePrincipalDep
from campagne.web.staff_pages import StaffRegionDep

router = APIRouter(prefix="/{slug}/staff/newsletters", include_in_schema=False,
                   dependencies=[SIGNED_IN_PAGE])
Subject = Annotated[str, Form(max_length=SUBJECT_LENGTH)]
Body = Annotated[str, Form(max_length=BODY_LENGTH)]
Short = Annotated[str, Form(max_length=120)]
PAGE = "staff_newsletters"


def _writer(region: RegionFolder, principal: Principal) -> None:
    if not principal.can_write_region(region.slug):
        raise HTTPException(status_code=403, detail=gettext("Your account is read-only."))


def _newsletter(session: Session, region: RegionFolder, newsletter_id: int) -> Newsletter:
    found = region_newsletter(session, region_id_of(session, region.slug), newsletter_id)
    if found is None:
        raise HTTPException(status_code=404, detail=gettext("This newsletter does not exist."))
    return found


def _url(region: RegionFolder, newsletter_id: int | None = None, notice: str = "") -> str:
    base = f"/{region.slug}/staff/newsletters"
    return (f"{base}/{newsletter_id}" if newsletter_id else base) + (
        f"?notice={notice}" if notice else "")


@router.get("", response_class=HTMLResponse)
def staff_list(request: Request, session: SessionDep, renderer: RendererDep,
               region: StaffRegionDep, principal: PagePrincipalDep) -> HTMLResponse:
    """The region's newsletters, newest first, with their figures."""
    items = region_newsletters(session, region_id_of(session, region.slug))
    return renderer.render(request, "newsletters/staff_list.html", {
        "items": items, "labels": LABELS, "sectors": _sectors(),
        "can_write": principal.can_write_region(region.slug)}, region=region, page=PAGE)


def _sectors() -> dict[str, str]:
    return {sector.slug: gettext(sector.label) for sector in SECTORS}


def _form(request: Request, renderer: RendererDep, session: Session, region: RegionFolder,
          draft: Newsletter | None, values: dict[str, Any], errors: list[str],
          status: int = 200) -> HTMLResponse:
    return renderer.render(request, "newsletters/staff_form.html", {
        "draft": draft, "values": values, "errors": errors, "labels": LABELS,
        "segments": list(Segment), "sectors": _sectors(),
        "communes": communes(session, region_id_of(session, region.slug)),
        "csrf": request.state.csrf_token}, region=region, page=PAGE, status_code=status)


@router.get("/new", response_class=HTMLResponse)
def new_form(request: Request, session: SessionDep, renderer: RendererDep,
             region: StaffRegionDep, principal: PagePrincipalDep) -> HTMLResponse:
    """An empty newsletter."""
    _writer(region, principal)
    return _form(request, renderer, session, region, None, {"segment": "members"}, [])


def _save(request: Request, session: Session, renderer: RendererDep, region: RegionFolder,
          principal: Principal, draft: Newsletter | None, values: dict[str, str]) -> Response:
    choice = parse_choice(values["segment"], values["sector"], values["commune"])
    errors = [gettext(text) for text, bad in (
        (N_("Give the newsletter a subject."), not values["subject"].strip()),
        (N_("Write the newsletter."), not values["body"].strip()),
        (N_("Choose who the newsletter goes to (and the sector or the commune)."),
         choice is None))
        if bad]
    if errors or choice is None:
        return _form(request, renderer, session, region, draft, values, errors, 422)
    try:
        saved = save_draft(session, region.slug, region_id_of(session, region.slug), draft,
                           subject=values["subject"].strip(), body=values["body"],
                           choice=choice, actor=principal.user,
                           address=client_address(request), now=utc_now())
    except NotADraft:
        return RedirectResponse(_url(region, draft.id if draft else None, "sent"), 303)
    return RedirectResponse(_url(region, saved.id, "saved"), status_code=303)


@router.post("", dependencies=[CSRF_CHECKED])
def create(request: Request, session: SessionDep, renderer: RendererDep,
           region: StaffRegionDep, principal: PagePrincipalDep, subject: Subject = "",
           body: Body = "", segment: Short = "", sector: Short = "",
           commune: Short = "") -> Response:
    """Save a new draft and show its preview."""
    _writer(region, principal)
    return _save(request, session, renderer, region, principal, None, {
        "subject": subject, "body": body, "segment": segment, "sector": sector,
        "commune": commune})


@router.get("/{newsletter_id}", response_class=HTMLResponse)
def detail(request: Request, session: SessionDep, renderer: RendererDep,
           region: StaffRegionDep, principal: PagePrincipalDep,
           newsletter_id: Id) -> HTMLResponse:
    """The newsletter's preview, who it goes to and how many they are; for a draft, its
    form and the button that sends it."""
    item = _newsletter(session, region, newsletter_id)
    choice = choice_of(item)
    count = len(recipients(session, item.region_id, choice)) if item.sent_at is None else None
    return renderer.render(request, "newsletters/staff_detail.html", {
        "item": item, "preview": preview_html(item.body), "count": count, "labels": LABELS,
        "sectors": _sectors(), "can_write": principal.can_write_region(region.slug),
        "csrf": request.state.csrf_token, "notice": request.query_params.get("notice")},
        region=region, page=PAGE)


@router.get("/{newsletter_id}/edit", response_class=HTMLResponse)
def edit_form(request: Request, session: SessionDep, renderer: RendererDep,
              region: StaffRegionDep, principal: PagePrincipalDep,
              newsletter_id: Id) -> Response:
    """The draft's form."""
    _writer(region, principal)
    item = _newsletter(session, region, newsletter_id)
    if item.sent_at is not None:
        return RedirectResponse(_url(region, newsletter_id, "sent"), status_code=303)
    values = {"subject": item.subject, "body": item.body, "segment": item.segment,
              "sector": item.segment_value if item.segment == Segment.SECTOR else "",
              "commune": item.segment_value if item.segment == Segment.COMMUNE else ""}
    return _form(request, renderer, session, region, item, values, [])


@router.post("/{newsletter_id}", dependencies=[CSRF_CHECKED])
def edit(request: Request, session: SessionDep, renderer: RendererDep, region: StaffRegionDep,
         principal: PagePrincipalDep, newsletter_id: Id, subject: Subject = "",
         body: Body = "", segment: Short = "", sector: Short = "",
         commune: Short = "") -> Response:
    """Save the draft and show its preview."""
    _writer(region, principal)
    item = _newsletter(session, region, newsletter_id)
    return _save(request, session, renderer, region, principal, item, {
        "subject": subject, "body": body, "segment": segment, "sector": sector,
        "commune": commune})


@router.post("/{newsletter_id}/send", dependencies=[CSRF_CHECKED])
def send(request: Request, instance: InstanceDep, session: SessionDep, region: StaffRegionDep,
         principal: PagePrincipalDep, newsletter_id: Id) -> Response:
    """Queue the newsletter for everyone of its segment who consented (once)."""
    _writer(region, principal)
    item = _newsletter(session, region, newsletter_id)
    try:
        send_newsletter(session, instance.settings, region, item, actor=principal.user,
                        address=client_address(request), now=utc_now())
    except AlreadySent:
        return RedirectResponse(_url(region, newsletter_id, "already"), status_code=303)
    return RedirectResponse(_url(region, newsletter_id, "queued"), status_code=303)
