"""A member's booking once made: its confirmation page (``/account/bookings/{id}``, where
the booking form leads) and the booking as an ``.ics`` file to add to one's calendar. Both
are the member's own: another account, or nobody signed in, gets no answer about it
(docs/decisions/0033-confirmation-pages.md)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from campagne.api.bounds import Id
from campagne.api.deps import InstanceDep, SessionDep
from campagne.auth.models import Role
from campagne.features.spaces.confirmation import SLOT_LABELS, booking_invitation
from campagne.features.spaces.models import Booking, Space
from campagne.i18n import gettext
from campagne.models import Member, Region
from campagne.web.pages import RendererDep
from campagne.web.sessions import SIGNED_IN_PAGE, PagePrincipalDep

router = APIRouter(prefix="/account/bookings", include_in_schema=False,
                   dependencies=[SIGNED_IN_PAGE])


def _own(session: SessionDep, principal: PagePrincipalDep, booking_id: int
         ) -> tuple[Booking, Space, str]:
    """The signed-in member's booking, its space and region slug; 404 for anyone else's."""
    booking = session.get(Booking, booking_id)
    member_id = principal.user.member_id if principal.role is Role.MEMBER else None
    if booking is None or member_id is None or booking.member_id != member_id:
        raise HTTPException(status_code=404, detail=gettext("This booking does not exist."))
    space = session.get(Space, booking.space_id)
    member = session.get(Member, member_id)
    region = session.get(Region, member.region_id) if member else None
    if space is None or region is None:
        raise HTTPException(status_code=404, detail=gettext("This booking does not exist."))
    return booking, space, region.slug


@router.get("/{booking_id}", response_class=HTMLResponse)
def booked(request: Request, session: SessionDep, renderer: RendererDep,
           principal: PagePrincipalDep, booking_id: Id) -> HTMLResponse:
    """The booking's confirmation: what, where, when, and the calendar file (reloading it
    changes nothing)."""
    booking, space, slug = _own(session, principal, booking_id)
    return renderer.render(request, "spaces/booked.html", {
        "booking": booking, "space": space, "slug": slug,
        "cancelled": booking.cancelled_at is not None}, page="booked")


@router.get("/{booking_id}/booking.ics")
def booking_calendar(instance: InstanceDep, session: SessionDep,
                     principal: PagePrincipalDep, booking_id: Id) -> Response:
    """The booking as a calendar file (the same event as the one the confirmation e-mail
    attaches), for its member only."""
    booking, space, _slug = _own(session, principal, booking_id)
    slot = gettext(SLOT_LABELS.get(booking.slot, booking.slot))
    attachment = booking_invitation(instance.settings, booking, space, slot)
    return Response(attachment.content, media_type="text/calendar; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="booking.ics"'})
