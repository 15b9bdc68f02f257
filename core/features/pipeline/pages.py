"""Staff pages of the pipeline: today's follow-ups, the board of inquiries by stage, one
inquiry (timeline, interactions, stage, advisor, next action, eligibility, conversion).
They work without JavaScript: every change is a small form with the session's CSRF token.
Read-only staff see everything and change nothing; every page is audited."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from campagne.api.bounds import Id, Page, Version, parse_id
from campagne.api.deps import InstanceDep, SessionDep
from campagne.api.security import client_address
from campagne.auth import audit
from campagne.auth.access import Principal
from campagne.features.pipeline import actions, rules
from campagne.features.pipeline.eligibility import eligibility
from campagne.features.pipeline.rules import (
    AlreadyConverted,
    InquiryCriteria,
    InquiryErased,
    PipelineError,
)
from campagne.gdpr import VersionConflict
from campagne.i18n import gettext
from campagne.i18n_markers import N_
from campagne.instance import Instance
from campagne.models import Region
from campagne.operations import timeline
from campagne.operations.models import Inquiry
from campagne.regions import RegionFolder
from campagne.taxonomy import SECTORS
from campagne.web.labels import inquiry_choices
from campagne.web.pages import RendererDep
from campagne.web.paging import Pager
from campagne.web.sessions import CSRF_CHECKED, SIGNED_IN_PAGE, PagePrincipalDep
from campagne.web.staff_pages import StaffRegionDep
from campagne.web.timeline_view import STAFF_KINDS, kind_label, stage_label, timeline_items

router = APIRouter(prefix="/{slug}/staff", include_in_schema=False,
                   dependencies=[SIGNED_IN_PAGE])
Text = Annotated[str, Form(max_length=200)]
FIELD_LABELS = {"stage": N_("Stage"), "advisor_id": N_("Advisor"),
                "next_action_on": N_("Next action on"), "sector": N_("Sector"),
                "kind": N_("Kind of contact"), "on": N_("Day"), "summary": N_("What happened")}
BOARD_CARDS = 10  # cards shown in a column; the stage's own page lists them all
STAGE_PAGE = 50  # inquiries a page of a stage's list
SEARCH_PAGE = 50  # inquiries a page of the search's results


def require_writer(region: RegionFolder, principal: Principal) -> None:
    """403 for read-only staff."""
    if not principal.can_write_region(region.slug):
        raise HTTPException(status_code=403, detail=gettext("Your account is read-only."))


def _inquiry(session: Session, region: RegionFolder, inquiry_id: int) -> Inquiry:
    inquiry = rules.region_inquiry(session, region.slug, inquiry_id)
    if inquiry is None:
        raise HTTPException(status_code=404, detail=gettext("This record does not exist."))
    return inquiry


def _common(request: Request, region: RegionFolder, principal: Principal) -> dict[str, Any]:
    return {"csrf": request.state.csrf_token,
            "can_write": principal.can_write_region(region.slug),
            "stages": [(s.key, stage_label(region, s.key)) for s in region.config.pipeline.stages],
            "today": timeline.programme_today()}


# -- today's page --------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def staff_home(request: Request, session: SessionDep, renderer: RendererDep,
               region: StaffRegionDep, principal: PagePrincipalDep) -> HTMLResponse:
    """Follow-ups due today or overdue, new inquiries, stage counts, and the panels of the
    region's other features (upcoming meetups)."""
    today = timeline.programme_today()
    config = region.config.pipeline
    open_keys = [stage.key for stage in config.stages if stage.open]
    base = (select(Inquiry).join(Region, col(Region.id) == col(Inquiry.region_id))
            .where(Region.slug == region.slug, col(Inquiry.erased_at).is_(None)))
    due = list(session.exec(base.where(col(Inquiry.next_action_on) <= today,
                                       col(Inquiry.stage).in_(open_keys))
                            .order_by(col(Inquiry.next_action_on), col(Inquiry.id))
                            .limit(100)).all())
    new = list(session.exec(base.where(Inquiry.stage == config.entry.key)
                            .order_by(col(Inquiry.created_at).desc()).limit(10)).all())
    counts = rules.stage_counts(session, region.slug)
    audit.record(session, principal.user, "list", region_slug=region.slug, target="inquiries",
                 address=client_address(request), count=len(due) + len(new), part="today")
    session.commit()
    advisors = timeline.account_names(session, {i.advisor_id for i in due if i.advisor_id})
    context = {**_common(request, region, principal), "due": due, "new": new,
               "advisors": advisors, "counts": counts}
    # The other features' parts of the day (hook page_panels: the meetups to come...).
    context["panels"] = renderer.panels(request, "staff_home", region, session, None, context)
    return renderer.render(request, "staff/home.html", context, region=region,
                           page="staff_home")


# -- the board -----------------------------------------------------------------------------


@router.get("/pipeline", response_class=HTMLResponse)
def board(request: Request, session: SessionDep, renderer: RendererDep,
          region: StaffRegionDep, principal: PagePrincipalDep) -> HTMLResponse:
    """One column per stage, in the configured order, with counts and a move form on each
    card: in open stages those waiting longest first, in the others the latest first; at
    most ``BOARD_CARDS`` cards a column, and a link to the stage's whole list."""
    config = region.config.pipeline
    counts = rules.stage_counts(session, region.slug)
    columns: list[dict[str, Any]] = []
    for stage in config.stages:
        cards = rules.stage_cards(session, region.slug, [stage.key],
                                     newest_first=not stage.open, limit=BOARD_CARDS)
        columns.append({"key": stage.key, "label": stage_label(region, stage.key),
                        "count": counts.get(stage.key, 0), "open": stage.open,
                        "cards": cards})
    unknown = sorted(set(counts) - {stage.key for stage in config.stages})
    if unknown:
        columns.append({"key": "", "label": gettext("Stage no longer configured"),
                        "count": sum(counts[key] for key in unknown), "open": True,
                        "cards": rules.stage_cards(session, region.slug, unknown,
                                                      newest_first=False, limit=BOARD_CARDS)})
    shown = [card for column in columns for card in column["cards"]]
    audit.record(session, principal.user, "list", region_slug=region.slug, target="inquiries",
                 address=client_address(request), count=len(shown), part="board")
    session.commit()
    advisors = timeline.account_names(session, {c.advisor_id for c in shown if c.advisor_id})
    return renderer.render(request, "staff/board.html", {
        **_common(request, region, principal), "columns": columns, "advisors": advisors,
        "conflict": request.query_params.get("conflict")}, region=region, page="staff_board")


@router.get("/pipeline/{stage_key}", response_class=HTMLResponse)
def stage_list(request: Request, session: SessionDep, renderer: RendererDep,
               region: StaffRegionDep, principal: PagePrincipalDep,
               stage_key: Annotated[str, Path(max_length=40)], page: Page = 1) -> HTMLResponse:
    """Every inquiry at one stage, page by page, in the board's order."""
    stage = region.config.pipeline.stage(stage_key)
    if stage is None:
        raise HTTPException(status_code=404, detail=gettext("This stage does not exist."))
    total = rules.stage_counts(session, region.slug).get(stage.key, 0)
    pager = Pager(max(page, 1), STAGE_PAGE, total)
    rows = rules.stage_cards(session, region.slug, [stage.key], newest_first=not stage.open,
                             limit=STAGE_PAGE, offset=(pager.page - 1) * STAGE_PAGE)
    audit.record(session, principal.user, "list", region_slug=region.slug, target="inquiries",
                 address=client_address(request), count=len(rows), part="stage")
    session.commit()
    return renderer.render(request, "staff/stage.html", {
        **_common(request, region, principal), "stage": stage,
        "stage_name": stage_label(region, stage.key), "rows": rows, "pager": pager,
        "advisors": timeline.account_names(session, {r.advisor_id for r in rows
                                                     if r.advisor_id})},
        region=region, page="staff_board")


@router.post("/inquiries", response_class=HTMLResponse, dependencies=[CSRF_CHECKED])
def search(request: Request, session: SessionDep, renderer: RendererDep,
           region: StaffRegionDep, principal: PagePrincipalDep, name: Text = "",
           email: Text = "", page: Annotated[Page, Form()] = 1) -> HTMLResponse:
    """Inquiries by name or e-mail address (sent in the body, never in the URL), page by
    page."""
    criteria = InquiryCriteria(name=name.strip() or None, email=email.strip() or None,
                               page=max(page, 1), per_page=SEARCH_PAGE)
    total, rows = rules.find_inquiries(session, region.slug, criteria)
    audit.record(session, principal.user, "list", region_slug=region.slug, target="inquiries",
                 address=client_address(request), count=len(rows), part="search")
    session.commit()
    return renderer.render(request, "staff/inquiries.html", {
        **_common(request, region, principal), "rows": rows, "total": total, "name": name,
        "email": email, "pager": Pager(criteria.page, SEARCH_PAGE, total),
        "advisors": timeline.account_names(session, {r.advisor_id for r in rows
                                                     if r.advisor_id})},
        region=region, page="staff_board")


# -- one inquiry ---------------------------------------------------------------------------


def _detail(request: Request, instance: InstanceDep, session: Session, renderer: RendererDep,
            region: RegionFolder, principal: Principal, inquiry: Inquiry,
            problem: str | None = None) -> HTMLResponse:
    rows = rules.inquiry_timeline(session, inquiry)
    advisor = timeline.account_names(session, {inquiry.advisor_id} if inquiry.advisor_id
                                      else set())
    return renderer.render(request, "staff/inquiry.html", {
        **_common(request, region, principal), "inquiry": inquiry,
        "stage_name": stage_label(region, inquiry.stage),
        "advisor": advisor.get(inquiry.advisor_id or 0),
        "advisors": rules.region_advisors(session, region.slug),
        "timeline": timeline_items(session, region, rows),
        "verdict": eligibility(instance, region.slug, inquiry),
        "kinds": [(kind, kind_label(kind)) for kind in STAFF_KINDS],
        "sectors": [s.slug for s in SECTORS], "choices": inquiry_choices(region.config),
        "problem": gettext(FIELD_LABELS[problem]) if problem in FIELD_LABELS else problem,
        "conflict": request.query_params.get("conflict")},
        region=region, page="staff_inquiry", status_code=422 if problem else 200)


@router.get("/inquiries/{inquiry_id}", response_class=HTMLResponse)
def inquiry_page(request: Request, instance: InstanceDep, session: SessionDep,
                 renderer: RendererDep, region: StaffRegionDep, principal: PagePrincipalDep,
                 inquiry_id: Id) -> HTMLResponse:
    """The inquiry, its eligibility verdict, its timeline and the forms to follow it up."""
    inquiry = _inquiry(session, region, inquiry_id)
    audit.record(session, principal.user, "read", region_slug=region.slug,
                 target=f"inquiry:{inquiry_id}", address=client_address(request))
    session.commit()
    return _detail(request, instance, session, renderer, region, principal, inquiry)


def _context(request: Request, instance: Instance, region: RegionFolder,
             session: Session) -> actions.Context:
    return actions.Context(instance, region, session, client_address(request))


def _apply(request: Request, instance: InstanceDep, session: Session, renderer: RendererDep,
           region: RegionFolder, principal: Principal, inquiry: Inquiry,
           values: dict[str, Any], version: int, back: str) -> Response:
    """Save ``values``; conflicts go back with a notice, refused values show the page with
    the field named."""
    try:
        actions.change(_context(request, instance, region, session), principal, inquiry,
                       values, version)
    except PipelineError as error:
        return _detail(request, instance, session, renderer, region, principal, inquiry,
                       problem=error.field)
    except (VersionConflict, InquiryErased):
        return RedirectResponse(f"{back}?conflict=1", status_code=303)
    return RedirectResponse(back, status_code=303)


@router.post("/inquiries/{inquiry_id}/stage", dependencies=[CSRF_CHECKED])
def move(request: Request, instance: InstanceDep, session: SessionDep, renderer: RendererDep,
         region: StaffRegionDep, principal: PagePrincipalDep, inquiry_id: Id,
         version: Annotated[Version, Form()], stage: Annotated[str, Form(max_length=40)] = "",
         back: Annotated[str, Form(max_length=10)] = "board") -> Response:
    """Move a card to another stage (from the board or the inquiry's page)."""
    require_writer(region, principal)
    inquiry = _inquiry(session, region, inquiry_id)
    target = (f"/{region.slug}/staff/inquiries/{inquiry_id}" if back == "detail"
              else f"/{region.slug}/staff/pipeline")
    return _apply(request, instance, session, renderer, region, principal, inquiry,
                  {"stage": stage}, version, target)


@router.post("/inquiries/{inquiry_id}", dependencies=[CSRF_CHECKED])
def follow_up(request: Request, instance: InstanceDep, session: SessionDep,
              renderer: RendererDep, region: StaffRegionDep, principal: PagePrincipalDep,
              inquiry_id: Id, version: Annotated[Version, Form()],
              stage: Annotated[str, Form(max_length=40)] = "",
              advisor_id: Annotated[str, Form(max_length=12)] = "",
              next_action_on: Annotated[str, Form(max_length=10)] = "",
              next_action: Text = "") -> Response:
    """Stage, advisor, next action and its date, saved together."""
    require_writer(region, principal)
    inquiry = _inquiry(session, region, inquiry_id)
    values: dict[str, Any] = {"next_action": next_action.strip() or None}
    if stage:
        values["stage"] = stage
    values["advisor_id"] = parse_id(advisor_id)
    if advisor_id.strip() and values["advisor_id"] is None:
        return _detail(request, instance, session, renderer, region, principal, inquiry,
                       problem="advisor_id")
    try:
        values["next_action_on"] = dt.date.fromisoformat(next_action_on) \
            if next_action_on else None
    except ValueError:
        return _detail(request, instance, session, renderer, region, principal, inquiry,
                       problem="next_action_on")
    return _apply(request, instance, session, renderer, region, principal, inquiry, values,
                  version, f"/{region.slug}/staff/inquiries/{inquiry_id}")


@router.post("/inquiries/{inquiry_id}/interactions", dependencies=[CSRF_CHECKED])
def interaction(request: Request, instance: InstanceDep, session: SessionDep,
                renderer: RendererDep, region: StaffRegionDep, principal: PagePrincipalDep,
                inquiry_id: Id, kind: Annotated[str, Form(max_length=20)] = "",
                summary: Annotated[str, Form(max_length=2000)] = "",
                on: Annotated[str, Form(max_length=10)] = "") -> Response:
    """Record a call, e-mail, meeting, visit or note."""
    require_writer(region, principal)
    inquiry = _inquiry(session, region, inquiry_id)
    if not summary.strip():
        return _detail(request, instance, session, renderer, region, principal, inquiry,
                       problem="summary")
    try:
        day = dt.date.fromisoformat(on) if on else None
        actions.record_interaction(_context(request, instance, region, session), principal,
                                   inquiry, kind, summary, day)
    except ValueError as error:
        field = error.field if isinstance(error, PipelineError) else "on"
        return _detail(request, instance, session, renderer, region, principal, inquiry,
                       problem=field)
    except InquiryErased:
        return RedirectResponse(f"/{region.slug}/staff/inquiries/{inquiry_id}?conflict=1",
                                status_code=303)
    return RedirectResponse(f"/{region.slug}/staff/inquiries/{inquiry_id}", status_code=303)


@router.post("/inquiries/{inquiry_id}/convert", dependencies=[CSRF_CHECKED])
def convert(request: Request, instance: InstanceDep, session: SessionDep,
            renderer: RendererDep, region: StaffRegionDep, principal: PagePrincipalDep,
            inquiry_id: Id, sector: Annotated[str, Form(max_length=40)] = "") -> Response:
    """Make the inquiry a member and open the member's record (already converted: the
    record it became)."""
    require_writer(region, principal)
    inquiry = _inquiry(session, region, inquiry_id)
    try:
        member = actions.convert(_context(request, instance, region, session), principal,
                                 inquiry, sector=sector or None)
    except AlreadyConverted as done:
        return RedirectResponse(f"/{region.slug}/staff/members/{done.member_id}",
                                status_code=303)
    except PipelineError as error:
        return _detail(request, instance, session, renderer, region, principal, inquiry,
                       problem=error.field)
    except InquiryErased:
        return RedirectResponse(f"/{region.slug}/staff/inquiries/{inquiry_id}?conflict=1",
                                status_code=303)
    return RedirectResponse(f"/{region.slug}/staff/members/{member.id}", status_code=303)
