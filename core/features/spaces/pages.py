"""Pages of offices and coworking spaces: the public list per region (``/{slug}/espaces``
in French, ``/{slug}/spaces`` in English: both serve either language), a page per space
with its seats left for two weeks (counts only), and a member's desk bookings
(``/account/bookings``: book, cancel; listed on the account page)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, select

from campagne.api.bounds import Id
from campagne.api.deps import InstanceDep, SessionDep
from campagne.api.security import client_address
from campagne.auth.access import Principal
from campagne.auth.models import Role
from campagne.features.spaces import booking_actions, bookings
from campagne.features.spaces.models import Booking, BookingSlot, Space
from campagne.features.spaces.records import booking_out, region_space, region_spaces
from campagne.i18n import current_locale, gettext
from campagne.models import Member, Region
from campagne.web.pages import PageRegionDep, RendererDep
from campagne.web.sessions import (
    CSRF_CHECKED,
    SIGNED_IN_PAGE,
    MaybePrincipalDep,
    PagePrincipalDep,
)

public = APIRouter(include_in_schema=False)
account = APIRouter(prefix="/account/bookings", include_in_schema=False,
                    dependencies=[SIGNED_IN_PAGE])
LIST_PATHS = ("/{slug}/espaces", "/{slug}/spaces")
SPACE_PATHS = ("/{slug}/espaces/{space_id}", "/{slug}/spaces/{space_id}")
ERRORS = ("past", "horizon", "closed", "closed_day", "full", "duplicate", "region", "choice")


def space_path(slug: str, space_id: int) -> str:
    """The page of a space, in the current language's path."""
    return f"/{slug}/{'espaces' if current_locale.get() == 'fr' else 'spaces'}/{space_id}"


def list_page(request: Request, session: SessionDep, renderer: RendererDep,
              region: PageRegionDep) -> HTMLResponse:
    """The region's open spaces, by commune."""
    return renderer.render(request, "spaces.html", {
        "spaces": region_spaces(session, region.slug)}, region=region, page="spaces")


def space_page(request: Request, instance: InstanceDep, session: SessionDep,
               renderer: RendererDep, region: PageRegionDep, principal: MaybePrincipalDep,
               space_id: Id) -> HTMLResponse:
    """One space: what it offers and its seats left per half day for two weeks; a member
    of the region gets the booking form."""
    space = region_space(session, region.slug, space_id)
    if space is None:
        raise HTTPException(status_code=404, detail=gettext("This space does not exist."))
    days = bookings.availability(session, space) if space.active else []
    horizon = instance.settings.booking_horizon_days
    error = request.query_params.get("error")
    return renderer.render(request, "space.html", {
        "space": space, "days": days, "can_book": _can_book(session, principal, region.slug),
        "signed_in": principal is not None, "error": error if error in ERRORS else None,
        "first_day": bookings.today(),
        "last_day": bookings.today() + dt.timedelta(days=horizon),
        "csrf": getattr(request.state, "csrf_token", None)}, region=region, page="spaces")


for _path in LIST_PATHS:
    public.add_api_route(_path, list_page, methods=["GET"], response_class=HTMLResponse)
for _path in SPACE_PATHS:
    public.add_api_route(_path, space_page, methods=["GET"], response_class=HTMLResponse)


def _member_region(session: Session, principal: Principal | None) -> tuple[Member, str] | None:
    """The signed-in member's record and region slug (``None`` for anyone else)."""
    if principal is None or principal.role is not Role.MEMBER or not principal.user.member_id:
        return None
    member = session.get(Member, principal.user.member_id)
    region = session.get(Region, member.region_id) if member else None
    return (member, region.slug) if member and region else None


def _can_book(session: Session, principal: Principal | None, slug: str) -> bool:
    found = _member_region(session, principal)
    return found is not None and found[1] == slug


def member_upcoming_bookings(session: Session, member_id: int, region_slug: str
                             ) -> list[dict[str, Any]]:
    """A member's bookings from today, for their account page."""
    return [{"booking": booking_out(booking, space, region_slug),
             "path": space_path(region_slug, booking.space_id)}
            for booking, space in bookings.member_bookings(session, member_id, bookings.today())]


def _chosen(day: dt.date | None, slot: BookingSlot | None, cell: str | None
            ) -> tuple[dt.date, BookingSlot] | None:
    """The day and slot asked: a cell of the seats table (``2026-12-08 morning``) or the
    form's two fields; ``None`` when neither says one."""
    if cell:
        day_text, _, slot_text = cell.partition(" ")
        try:
            return dt.date.fromisoformat(day_text), BookingSlot(slot_text)
        except ValueError:
            return None
    return (day, slot) if day is not None and slot is not None else None


@account.post("", dependencies=[CSRF_CHECKED])
def book(request: Request, instance: InstanceDep, session: SessionDep,
         principal: PagePrincipalDep, space_id: Annotated[Id, Form()],
         day: Annotated[dt.date | None, Form()] = None,
         slot: Annotated[BookingSlot | None, Form()] = None,
         cell: Annotated[str | None, Form(max_length=30)] = None) -> Response:
    """Book a desk for oneself (a day and slot, or a cell of the seats table); on to the
    booking's confirmation, or back to the space with the reason it was refused."""
    found = _member_region(session, principal)
    space = session.get(Space, space_id)
    if found is None or space is None:
        return RedirectResponse("/account/", status_code=303)
    member, slug = found
    assert member.id is not None and space.id is not None
    back = space_path(_slug_of(session, space), space.id)
    if slug != _slug_of(session, space):
        return RedirectResponse(f"{back}?error=region", status_code=303)
    chosen = _chosen(day, slot, cell)
    if chosen is None:
        return RedirectResponse(f"{back}?error=choice#book", status_code=303)
    day, slot = chosen
    try:
        booking = booking_actions.book_desk(
            session, instance, principal, slug, space.id, day, slot, member_id=member.id,
            guest_name=None, horizon_days=instance.settings.booking_horizon_days,
            address=client_address(request))
    except bookings.BookingRefused as refused:
        return RedirectResponse(f"{back}?error={refused.code}#book", status_code=303)
    return RedirectResponse(f"/account/bookings/{booking.id}", status_code=303)


@account.post("/{booking_id}/cancel", dependencies=[CSRF_CHECKED])
def cancel(request: Request, session: SessionDep, principal: PagePrincipalDep,
           booking_id: Id) -> Response:
    """Cancel one of one's own bookings (the seat is free again)."""
    found = _member_region(session, principal)
    if found is not None:
        member, slug = found
        booking = session.get(Booking, booking_id)
        if booking is not None and booking.member_id == member.id:
            booking_actions.cancel_booking(session, principal, slug, booking,
                                   address=client_address(request))
    return RedirectResponse("/account/#bookings", status_code=303)


def _slug_of(session: Session, space: Space) -> str:
    slug = session.exec(select(Region.slug).where(Region.id == space.region_id)).one()
    return str(slug)
