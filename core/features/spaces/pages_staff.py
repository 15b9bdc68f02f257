"""Staff pages of a region's spaces: list, add, change, close, and a space's bookings of
a day (who booked: the read is audited), booking on someone's behalf and cancelling."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from campagne.api.bounds import Id, parse_id
from campagne.api.deps import InstanceDep, SessionDep
from campagne.api.security import client_address
from campagne.auth import audit
from campagne.auth.access import Principal
from campagne.features.spaces import booking_actions, bookings
from campagne.features.spaces.confirmation import SLOT_LABELS
from campagne.features.spaces.models import BookingSlot, Space
from campagne.features.spaces.records import (
    SeatsBelowBookings,
    VersionConflict,
    create_space,
    region_id,
    region_space,
    region_spaces,
    staff_booking_out,
    update_space,
)
from campagne.features.spaces.schemas import SpaceFields, SpaceUpdate
from campagne.i18n import format_day, gettext
from campagne.models import Member
from campagne.regions import RegionFolder
from campagne.web.confirm import ConfirmField, Question, ask, confirmed
from campagne.web.pages import RendererDep
from campagne.web.sessions import CSRF_CHECKED, SIGNED_IN_PAGE, PagePrincipalDep
from campagne.web.staff_pages import StaffRegionDep

router = APIRouter(prefix="/{slug}/staff/spaces", include_in_schema=False,
                   dependencies=[SIGNED_IN_PAGE])
Text = Annotated[str, Form(max_length=300)]
TEXT_FIELDS = ("name", "address", "commune", "opening_hours")
NUMBER_FIELDS = ("latitude", "longitude", "seats", "broadband_mbps", "price_per_day_eur")
FLAGS = ("free_for_members", "price_illustrative")
WEEKDAYS = "1234567"


def _writer(region: RegionFolder, principal: Principal) -> None:
    if not principal.can_write_region(region.slug):
        raise HTTPException(status_code=403, detail=gettext("Your account is read-only."))


def _space_or_404(session: Session, slug: str, space_id: int) -> Space:
    space = region_space(session, slug, space_id)
    if space is None:
        raise HTTPException(status_code=404, detail=gettext("This space does not exist."))
    return space


async def _form_values(request: Request) -> dict[str, Any]:
    """The space form as model input: empty boxes are ``None``, ticked boxes ``True``."""
    form = await request.form()
    values: dict[str, Any] = {}
    for name in (*TEXT_FIELDS, *NUMBER_FIELDS):
        raw = str(form.get(name, "")).strip().replace(",", ".") if name in NUMBER_FIELDS \
            else str(form.get(name, "")).strip()
        values[name] = raw or None
    for name in FLAGS:
        values[name] = form.get(name) == "on"
    if "opening_days_sent" in form:  # absent: the days are not changed (or the default)
        ticked = {str(day) for day in form.getlist("opening_days")}
        values["opening_days"] = "".join(day for day in WEEKDAYS if day in ticked)
    values["version"] = str(form.get("version", ""))
    return values


SpaceForm = Annotated[dict[str, Any], Depends(_form_values)]


def _problems(error: ValidationError) -> list[dict[str, str]]:
    return [{"field": ".".join(str(p) for p in item["loc"]) or "form", "message": item["msg"]}
            for item in error.errors()]


@router.get("", response_class=HTMLResponse)
def spaces(request: Request, session: SessionDep, renderer: RendererDep,
           region: StaffRegionDep, principal: PagePrincipalDep) -> HTMLResponse:
    """Every space of the region, open or closed, and the form to add one."""
    return _list(request, session, renderer, region, principal, {}, [])


def _list(request: Request, session: Session, renderer: RendererDep, region: RegionFolder,
          principal: Principal, values: dict[str, Any], problems: list[dict[str, str]],
          status: int = 200) -> HTMLResponse:
    return renderer.render(request, "account/staff_spaces.html", {
        "spaces": region_spaces(session, region.slug, active_only=False), "values": values,
        "problems": problems, "can_write": principal.can_write_region(region.slug),
        "csrf": request.state.csrf_token}, region=region, page="staff_spaces", status_code=status)


@router.post("", dependencies=[CSRF_CHECKED])
def add(request: Request, session: SessionDep, renderer: RendererDep,
        region: StaffRegionDep, principal: PagePrincipalDep, values: SpaceForm) -> Response:
    """Add a space; a field that is not valid sends the form back with its name."""
    _writer(region, principal)
    values.pop("version")
    try:
        fields = SpaceFields.model_validate(values)
    except ValidationError as error:
        return _list(request, session, renderer, region, principal, values, _problems(error),
                     status=422)
    space = create_space(session, region.slug, fields)
    audit.record(session, principal.user, "create", region_slug=region.slug,
                 target=f"space:{space.id}", address=client_address(request))
    session.commit()
    return RedirectResponse(f"/{region.slug}/staff/spaces/{space.id}", status_code=303)


@router.get("/{space_id}", response_class=HTMLResponse)
def space_page(request: Request, session: SessionDep, renderer: RendererDep,
               region: StaffRegionDep, principal: PagePrincipalDep, space_id: Id,
               day: dt.date | None = None) -> HTMLResponse:
    """A space, its edit form and who booked on ``day`` (today by default; audited)."""
    space = _space_or_404(session, region.slug, space_id)
    return _detail(request, session, renderer, region, principal, space, day, {}, [])


def _detail(request: Request, session: Session, renderer: RendererDep, region: RegionFolder,
            principal: Principal, space: Space, day: dt.date | None, values: dict[str, Any],
            problems: list[dict[str, str]], status: int = 200) -> HTMLResponse:
    day = day or bookings.today()
    assert space.id is not None
    values = values or space.model_dump()  # before the commit below expires the row
    rows = bookings.day_bookings(session, space.id, day)
    audit.record(session, principal.user, "list", region_slug=region.slug,
                 target=f"space:{space.id}:bookings", address=client_address(request),
                 day=day.isoformat(), count=len(rows))
    session.commit()
    notice = request.query_params.get("notice")
    return renderer.render(request, "account/staff_space.html", {
        "space": space, "day": day, "values": values,
        "bookings": [staff_booking_out(session, row, space, region.slug) for row in rows],
        "left": bookings.availability(session, space, day, 1)[0], "problems": problems,
        "can_write": principal.can_write_region(region.slug),
        "conflict": request.query_params.get("conflict"),
        "notice": notice if notice in (*_NOTICES, "booked") else None,
        "csrf": request.state.csrf_token}, region=region, page="staff_spaces", status_code=status)


_NOTICES = ("past", "horizon", "closed", "closed_day", "full", "duplicate", "person")


@router.post("/{space_id}", dependencies=[CSRF_CHECKED])
def edit(request: Request, session: SessionDep, renderer: RendererDep,
         region: StaffRegionDep, principal: PagePrincipalDep, space_id: Id,
         values: SpaceForm) -> Response:
    """Save the form; a stale version sends back to the space with a conflict notice."""
    _writer(region, principal)
    space = _space_or_404(session, region.slug, space_id)
    url = f"/{region.slug}/staff/spaces/{space_id}"
    try:
        version = int(values.pop("version"))
        fields = update_space(session, space, SpaceUpdate.model_validate(
            {"version": version, **values}))
    except (ValueError, VersionConflict) as error:
        if isinstance(error, ValidationError):
            return _detail(request, session, renderer, region, principal, space, None,
                           values, _problems(error), status=422)
        return RedirectResponse(f"{url}?conflict=1", status_code=303)
    except SeatsBelowBookings as refused:
        return _detail(request, session, renderer, region, principal, space, None, values,
                       [{"field": "seats", "message": refused.message()}], status=409)
    audit.record(session, principal.user, "update", region_slug=region.slug,
                 target=f"space:{space_id}", address=client_address(request), fields=fields)
    session.commit()
    return RedirectResponse(url, status_code=303)


@router.post("/{space_id}/deactivate", dependencies=[CSRF_CHECKED])
def deactivate(request: Request, session: SessionDep, renderer: RendererDep,
               region: StaffRegionDep, principal: PagePrincipalDep, space_id: Id,
               confirm: ConfirmField = "") -> Response:
    """Close the space to new bookings, once confirmed."""
    _writer(region, principal)
    space = _space_or_404(session, region.slug, space_id)
    if space.active and not confirmed(confirm):
        return ask(request, renderer, Question(
            title=gettext("Close %(space)s to bookings?") % {"space": space.name},
            consequence=gettext("No new booking is taken; the bookings made stay."),
            button=gettext("Close to bookings"),
            back=f"/{region.slug}/staff/spaces/{space_id}"), region=region, page="staff_spaces")
    if space.active:
        try:
            update_space(session, space, SpaceUpdate(version=space.version, active=False))
        except VersionConflict:
            return RedirectResponse(f"/{region.slug}/staff/spaces/{space_id}?conflict=1",
                                    status_code=303)
        audit.record(session, principal.user, "deactivate", region_slug=region.slug,
                     target=f"space:{space_id}", address=client_address(request))
        session.commit()
    return RedirectResponse(f"/{region.slug}/staff/spaces/{space_id}", status_code=303)


@router.post("/{space_id}/bookings", dependencies=[CSRF_CHECKED])
def book_for(request: Request, instance: InstanceDep, session: SessionDep,
             region: StaffRegionDep, principal: PagePrincipalDep, space_id: Id,
             day: Annotated[dt.date, Form()], slot: Annotated[BookingSlot, Form()],
             member_id: Text = "", guest_name: Text = "") -> Response:
    """Book a desk for a member of the region (by number) or a guest (by name)."""
    _writer(region, principal)
    _space_or_404(session, region.slug, space_id)
    url = f"/{region.slug}/staff/spaces/{space_id}?day={day.isoformat()}"
    member = _region_member(session, region.slug, member_id)
    guest = guest_name.strip()[:200] or None
    if (member is None) == (guest is None):  # exactly one of the two
        return RedirectResponse(f"{url}&notice=person", status_code=303)
    try:
        booking_actions.book_desk(
            session, instance, principal, region.slug, space_id, day, slot, member_id=member,
            guest_name=None if member else guest,
            horizon_days=instance.settings.booking_horizon_days,
            address=client_address(request))
    except bookings.BookingRefused as refused:
        return RedirectResponse(f"{url}&notice={refused.code}", status_code=303)
    return RedirectResponse(f"{url}&notice=booked", status_code=303)


def _region_member(session: Session, slug: str, member_id: str) -> int | None:
    """The member of the region with that number, if any."""
    number = parse_id(member_id)
    if number is None:
        return None
    member = session.get(Member, number)
    if member is None or member.region_id != region_id(session, slug):
        return None
    return member.id


@router.post("/{space_id}/bookings/{booking_id}/cancel", dependencies=[CSRF_CHECKED])
def cancel(request: Request, session: SessionDep, renderer: RendererDep,
           region: StaffRegionDep, principal: PagePrincipalDep, space_id: Id, booking_id: Id,
           confirm: ConfirmField = "") -> Response:
    """Cancel a booking of the space, once confirmed (the seat is free again)."""
    _writer(region, principal)
    booking = bookings.region_booking(session, region_id(session, region.slug), space_id,
                                      booking_id)
    if booking is None:
        raise HTTPException(status_code=404, detail=gettext("This booking does not exist."))
    day = booking.day
    if not confirmed(confirm):
        member = session.get(Member, booking.member_id) if booking.member_id else None
        person = f"{member.first_name} {member.last_name}" if member \
            else booking.guest_name or ""
        return ask(request, renderer, Question(
            title=gettext("Cancel the booking of %(name)s?") % {"name": person},
            consequence=gettext("%(when)s, %(day)s: the desk is free again for someone "
                                "else.") % {
                "when": gettext(SLOT_LABELS.get(booking.slot, booking.slot)),
                "day": format_day(day, "full")},
            button=gettext("Cancel the booking"),
            back=f"/{region.slug}/staff/spaces/{space_id}?day={day}"),
            region=region, page="staff_spaces")
    booking_actions.cancel_booking(session, principal, region.slug, booking,
                                   address=client_address(request))
    return RedirectResponse(f"/{region.slug}/staff/spaces/{space_id}?day={day}",
                            status_code=303)
