"""Staff pages of a region's meetups: list, create, edit and cancel a meetup, see its
sign-ups (an audited read), sign someone up or cancel for them, mark attendance."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from campagne.api.bounds import Id, Version, parse_id
from campagne.api.deps import InstanceDep, SessionDep
from campagne.api.security import client_address
from campagne.auth import audit
from campagne.auth.access import Principal
from campagne.features.meetups import actions
from campagne.features.meetups.api import context
from campagne.features.meetups.models import Meetup
from campagne.features.meetups.pages import STARTED
from campagne.features.meetups.rules import (
    PARIS,
    CancellationClosed,
    MeetupError,
    StaleVersion,
    aware,
    mark_attendance,
    region_id_of,
    region_meetup,
)
from campagne.features.meetups.schemas import EventIn, EventPatch
from campagne.features.meetups.signups import resolve
from campagne.features.meetups.views import (
    region_meetups,
    sign_up_rows,
    summaries,
    summary,
    when_text,
)
from campagne.i18n import gettext
from campagne.regions import RegionFolder
from campagne.web.confirm import ConfirmField, Question, ask, confirmed
from campagne.web.pages import RendererDep
from campagne.web.sessions import CSRF_CHECKED, SIGNED_IN_PAGE, PagePrincipalDep
from campagne.web.staff_pages import StaffRegionDep

router = APIRouter(prefix="/{slug}/staff/meetups", include_in_schema=False,
                   dependencies=[SIGNED_IN_PAGE])
Text = Annotated[str, Form(max_length=5000)]
FIELDS = ("title", "theme", "description", "starts_at", "ends_at", "place", "address",
          "capacity")
LISTED_SINCE = dt.timedelta(days=366)


def _writer(region: RegionFolder, principal: Principal) -> None:
    if not principal.can_write_region(region.slug):
        raise HTTPException(status_code=403, detail=gettext("Your account is read-only."))


def _meetup(session: Session, region: RegionFolder, event_id: int) -> Meetup:
    meetup = region_meetup(session, region_id_of(session, region.slug), event_id)
    if meetup is None:
        raise HTTPException(status_code=404, detail=gettext("This meetup does not exist."))
    return meetup


def _url(region: RegionFolder, event_id: int | None = None, query: str = "") -> str:
    base = f"/{region.slug}/staff/meetups"
    return (f"{base}/{event_id}" if event_id else base) + (f"?{query}" if query else "")


@router.get("", response_class=HTMLResponse)
def staff_list(request: Request, session: SessionDep, renderer: RendererDep,
               region: StaffRegionDep, principal: PagePrincipalDep) -> HTMLResponse:
    """The region's meetups of the last year and to come, latest first (counts only)."""
    since = dt.datetime.now(dt.UTC) - LISTED_SINCE
    items = summaries(session, region_meetups(session, region_id_of(session, region.slug),
                                              since=since))[::-1]
    return renderer.render(request, "meetups/staff_list.html", {
        "items": items, "when": when_text, "can_write": principal.can_write_region(region.slug)},
        region=region, page="staff_meetups")


@router.get("/new", response_class=HTMLResponse)
def new_form(request: Request, renderer: RendererDep, region: StaffRegionDep,
             principal: PagePrincipalDep) -> HTMLResponse:
    """An empty meetup form."""
    _writer(region, principal)
    return _form(request, renderer, region, None, {"capacity": "20"}, [])


def _form(request: Request, renderer: RendererDep, region: RegionFolder,
          meetup: Meetup | None, values: dict[str, Any], errors: list[str],
          status: int = 200) -> HTMLResponse:
    return renderer.render(request, "meetups/staff_form.html", {
        "meetup": meetup, "values": values, "errors": errors,
        "csrf": request.state.csrf_token}, region=region, page="staff_meetups", status_code=status)


def _values(meetup: Meetup) -> dict[str, Any]:
    """A meetup's fields as the form shows them (local times)."""
    values = {name: getattr(meetup, name) or "" for name in FIELDS}
    for name in ("starts_at", "ends_at"):
        values[name] = aware(getattr(meetup, name)).astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")
    return values


def _errors(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]


@router.post("", dependencies=[CSRF_CHECKED])
def create(request: Request, instance: InstanceDep, session: SessionDep,
           renderer: RendererDep, region: StaffRegionDep, principal: PagePrincipalDep,
           title: Text = "", theme: Text = "", description: Text = "", starts_at: Text = "",
           ends_at: Text = "", place: Text = "", address: Text = "",
           capacity: Text = "") -> Response:
    """Create a meetup from the form and go to its page."""
    _writer(region, principal)
    values = {"title": title, "theme": theme, "description": description,
              "starts_at": starts_at, "ends_at": ends_at, "place": place, "address": address,
              "capacity": capacity}
    try:
        body = EventIn.model_validate({k: v or None for k, v in values.items()})
        meetup = actions.create(context(request, instance, region, session, BackgroundTasks()),
                                principal, body.model_dump())
    except ValidationError as exc:
        return _form(request, renderer, region, None, values, _errors(exc), 422)
    except MeetupError as exc:
        return _form(request, renderer, region, None, values, [exc.message], 422)
    return RedirectResponse(_url(region, meetup.id), status_code=303)


@router.get("/{event_id}", response_class=HTMLResponse)
def staff_detail(request: Request, session: SessionDep, renderer: RendererDep,
                 region: StaffRegionDep, principal: PagePrincipalDep,
                 event_id: Id) -> HTMLResponse:
    """A meetup, its sign-ups (the read is audited) and the staff's forms."""
    meetup = _meetup(session, region, event_id)
    assert meetup.id is not None
    rows = sign_up_rows(session, meetup.id)
    audit.record(session, principal.user, "list", region_slug=region.slug,
                 target=f"meetup:{event_id}:registrations", address=client_address(request),
                 count=len(rows))
    session.commit()
    return renderer.render(request, "meetups/staff_detail.html", {
        "item": summary(session, meetup), "rows": rows, "values": _values(meetup),
        "when": when_text, "csrf": request.state.csrf_token,
        "can_write": principal.can_write_region(region.slug),
        "notice": request.query_params.get("notice")}, region=region, page="staff_meetups")


@router.post("/{event_id}", dependencies=[CSRF_CHECKED])
def edit(request: Request, instance: InstanceDep, session: SessionDep, renderer: RendererDep,
         region: StaffRegionDep, principal: PagePrincipalDep, tasks: BackgroundTasks,
         event_id: Id, version: Annotated[Version, Form()], title: Text = "", theme: Text = "",
         description: Text = "", starts_at: Text = "", ends_at: Text = "", place: Text = "",
         address: Text = "", capacity: Text = "") -> Response:
    """Save the form; a stale version sends back to the meetup with a conflict notice."""
    _writer(region, principal)
    meetup = _meetup(session, region, event_id)
    values = {"title": title, "theme": theme or None, "description": description or None,
              "starts_at": starts_at, "ends_at": ends_at, "place": place,
              "address": address or None, "capacity": capacity}
    try:
        body = EventPatch.model_validate({"version": version, **values})
    except ValidationError as exc:
        return _form(request, renderer, region, meetup, values, _errors(exc), 422)
    return _change(request, instance, session, region, principal, tasks, event_id, body)


@router.post("/{event_id}/cancel", dependencies=[CSRF_CHECKED])
def cancel_meetup(request: Request, instance: InstanceDep, session: SessionDep,
                  renderer: RendererDep, region: StaffRegionDep, principal: PagePrincipalDep,
                  tasks: BackgroundTasks, event_id: Id, version: Annotated[Version, Form()],
                  confirm: ConfirmField = "") -> Response:
    """Cancel the meetup, once confirmed; everyone signed up is told by e-mail."""
    _writer(region, principal)
    meetup = _meetup(session, region, event_id)
    if not confirmed(confirm):
        return ask(request, renderer, Question(
            title=gettext("Cancel “%(title)s”?") % {"title": meetup.title},
            consequence=gettext("Everyone signed up or waiting is told by e-mail that the "
                                "meetup is cancelled. This cannot be undone."),
            button=gettext("Cancel the meetup"), back=_url(region, event_id),
            fields={"version": str(version)}), region=region, page="staff_meetups")
    return _change(request, instance, session, region, principal, tasks, event_id,
                   EventPatch(version=version, cancelled=True))


def _change(request: Request, instance: InstanceDep, session: Session, region: RegionFolder,
            principal: Principal, tasks: BackgroundTasks, event_id: int,
            body: EventPatch) -> Response:
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    try:
        actions.edit(context(request, instance, region, session, tasks), principal, event_id,
                     body.version, changes)
    except StaleVersion:
        return RedirectResponse(_url(region, event_id, "notice=conflict"), status_code=303)
    except MeetupError as exc:
        raise HTTPException(status_code=422, detail=exc.message) from None
    return RedirectResponse(_url(region, event_id, "notice=saved"), status_code=303)


@router.post("/{event_id}/registrations", dependencies=[CSRF_CHECKED])
def sign_up_for(request: Request, instance: InstanceDep, session: SessionDep,
                region: StaffRegionDep, principal: PagePrincipalDep, tasks: BackgroundTasks,
                event_id: Id, member_id: Annotated[str, Form(max_length=20)] = "",
                name: Text = "", email: Text = "") -> Response:
    """Sign a member (by id) or a guest (name and e-mail) up on their behalf."""
    _writer(region, principal)
    _meetup(session, region, event_id)
    try:
        who = resolve(session, instance.settings, principal, region.slug,
                      client_address(request),
                      member_id=parse_id(member_id),
                      guest_name=name.strip() or None, guest_email=email.strip() or None)
        actions.sign_up(context(request, instance, region, session, tasks), event_id, who,
                        principal)
    except MeetupError:
        session.rollback()
        return RedirectResponse(_url(region, event_id, "notice=refused"), status_code=303)
    return RedirectResponse(_url(region, event_id, "notice=registered"), status_code=303)


@router.post("/{event_id}/registrations/{registration_id}/cancel",
             dependencies=[CSRF_CHECKED])
def cancel_for(request: Request, instance: InstanceDep, session: SessionDep,
               renderer: RendererDep, region: StaffRegionDep, principal: PagePrincipalDep,
               tasks: BackgroundTasks, event_id: Id, registration_id: Id,
               confirm: ConfirmField = "") -> Response:
    """Cancel someone's sign-up for them, once confirmed; the first person waiting gets
    the place."""
    _writer(region, principal)
    meetup = _meetup(session, region, event_id)
    if not confirmed(confirm):
        assert meetup.id is not None
        if summary(session, meetup).started:  # refused either way: say so at once
            raise HTTPException(status_code=409, detail=gettext(STARTED))
        row = next((row for row in sign_up_rows(session, meetup.id)
                    if row.registration.id == registration_id), None)
        if row is None:
            raise HTTPException(status_code=404,
                                detail=gettext("This sign-up does not exist."))
        return ask(request, renderer, Question(
            title=gettext("Cancel the sign-up of %(name)s?") % {"name": row.name},
            consequence=gettext("Their place goes to the first person waiting, who is told "
                                "by e-mail."),
            button=gettext("Cancel the sign-up"), back=_url(region, event_id)),
            region=region, page="staff_meetups")
    try:
        actions.cancel_sign_up(context(request, instance, region, session, tasks), event_id,
                               registration_id, principal)
    except CancellationClosed:
        raise HTTPException(status_code=409, detail=gettext(STARTED)) from None
    except MeetupError:
        raise HTTPException(status_code=404,
                            detail=gettext("This sign-up does not exist.")) from None
    return RedirectResponse(_url(region, event_id, "notice=cancelled"), status_code=303)


@router.post("/{event_id}/attendance", dependencies=[CSRF_CHECKED])
def attendance(request: Request, session: SessionDep, region: StaffRegionDep,
               principal: PagePrincipalDep, event_id: Id,
               mark: Annotated[list[str], Form()] = []) -> Response:  # noqa: B006 - FastAPI copies it
    """Marks come as ``<registration id>:yes|no|unknown``, one per confirmed sign-up."""
    _writer(region, principal)
    meetup = _meetup(session, region, event_id)
    values = {"yes": True, "no": False, "unknown": None}
    marks: dict[int, bool | None] = {}
    for item in mark:
        head, _, value = item.partition(":")
        registration_id = parse_id(head)
        if registration_id is not None and value in values:
            marks[registration_id] = values[value]
    try:
        changed = mark_attendance(session, meetup, marks) if marks else []
    except MeetupError:
        session.rollback()
        return RedirectResponse(_url(region, event_id, "notice=refused"), status_code=303)
    audit.record(session, principal.user, "attendance", region_slug=region.slug,
                 target=f"meetup:{event_id}", address=client_address(request),
                 count=len(changed))
    session.commit()
    return RedirectResponse(_url(region, event_id, "notice=attendance"), status_code=303)
