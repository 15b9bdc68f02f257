"""``/api/v1/regions/{slug}/spaces``: offices and coworking spaces (public, counts only),
their management by the region's staff, and desk bookings; ``/api/v1/me/bookings``.

Bookings are personal data: staff reads of them are audited, as is every change."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from sqlmodel import Session, select

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
from campagne.features.spaces import booking_actions, bookings
from campagne.features.spaces.models import Booking, Space
from campagne.features.spaces.records import (
    SeatsBelowBookings,
    VersionConflict,
    booking_out,
    create_space,
    region_id,
    region_space,
    region_spaces,
    space_detail,
    space_out,
    staff_booking_out,
    update_space,
)
from campagne.features.spaces.schemas import (
    BookingIn,
    BookingOut,
    SpaceDetail,
    SpaceFields,
    SpaceOut,
    SpaceUpdate,
    StaffBookingOut,
)
from campagne.input_types import IsoDate
from campagne.models import Member, Region
from campagne.regions import RegionFolder

PREFIX = "/api/v1/regions/{slug}/spaces"
public = APIRouter(prefix=PREFIX, tags=["spaces"])
router = APIRouter(prefix=PREFIX, tags=["spaces"], dependencies=[SIGNED_IN])
me = APIRouter(prefix="/api/v1/me/bookings", tags=["me"], dependencies=[SIGNED_IN])
NO_SPACE = HTTPException(status_code=404, detail="Unknown space")
NO_BOOKING = HTTPException(status_code=404, detail="Unknown booking")
REFUSALS: dict[int | str, dict[str, Any]] = {
    409: {"description": "Full, or already booked by this person"},
    422: {"description": "Past day, beyond the horizon, closed space or bad input"}}


@public.get("", summary="A region's open spaces (offices and coworking)")
def list_spaces(region: RegionDep, session: SessionDep) -> list[SpaceOut]:
    """Spaces open to bookings, by commune: address, seats, speed, hours, price."""
    return [space_out(space, region.slug) for space in region_spaces(session, region.slug)]


@public.get("/{space_id}", summary="One space with its seats left for two weeks")
def get_space(region: RegionDep, session: SessionDep, space_id: Id) -> SpaceDetail:
    """Seats left per day and half day for the coming 14 days (counts only)."""
    space = region_space(session, region.slug, space_id)
    if space is None:
        raise NO_SPACE
    return space_detail(session, space, region.slug)


# The booking routes come before the management routes: the authorization matrix calls
# routes in this order, so its sample space is closed only after the bookings were tried.


@router.post("/{space_id}/bookings", status_code=201, summary="Book a desk",
             responses=REFUSALS)
def create_booking(request: Request, instance: InstanceDep, region: RegionDep,
                   session: SessionDep, principal: PrincipalDep, space_id: Id,
                   wanted: BookingIn) -> BookingOut:
    """A member books for themself; the region's staff book for a member of the region
    (``member_id``) or a guest (``guest_name``). 201 when confirmed, 409 when full or
    already booked by that person, 422 for a past day, a day beyond the horizon or a
    closed space."""
    member_id = _booker(request, session, principal, region, wanted)
    space = region_space(session, region.slug, space_id)
    if space is None:
        raise NO_SPACE
    try:
        booking = booking_actions.book_desk(
            session, instance, principal, region.slug, space_id, wanted.day, wanted.slot,
            member_id=member_id, guest_name=None if member_id else wanted.guest_name,
            horizon_days=instance.settings.booking_horizon_days,
            address=client_address(request))
    except bookings.BookingRefused as refused:
        raise HTTPException(status_code=refused.status, detail=_message(refused)) from None
    session.refresh(space)
    return booking_out(booking, space, region.slug)


def _message(refused: bookings.BookingRefused) -> str:
    return f"{refused.field}: {refused.message}" if refused.field else refused.message


def _booker(request: Request, session: Session, principal: Principal, region: RegionFolder,
            wanted: BookingIn) -> int | None:
    """Who the booking is for: the member's own id, or the person staff named."""
    if principal.role is Role.MEMBER:
        member = session.get(Member, principal.user.member_id)
        if (member is None or member.region_id != region_id(session, region.slug)
                or wanted.guest_name or wanted.member_id not in (None, member.id)):
            raise deny(session, request, principal, region.slug)
        return member.id
    if not principal.can_write_region(region.slug):
        raise deny(session, request, principal, region.slug)
    if wanted.member_id is None and not wanted.guest_name:
        raise HTTPException(status_code=422,
                            detail="member_id: name the member, or give guest_name")
    if wanted.member_id is not None:
        member = session.get(Member, wanted.member_id)
        if member is None or member.region_id != region_id(session, region.slug):
            raise HTTPException(status_code=422,
                                detail="member_id: no such member in this region")
    return wanted.member_id


@router.get("/{space_id}/bookings", summary="A space's bookings on a day (staff)")
def day_bookings(request: Request, region: ReaderRegionDep, session: SessionDep,
                 principal: PrincipalDep, space_id: Id,
                 day: Annotated[IsoDate | None, Query(description="Default: today")] = None
                 ) -> list[StaffBookingOut]:
    """Who booked, for the region's staff; the read is written to the audit trail."""
    space = region_space(session, region.slug, space_id)
    if space is None:
        raise NO_SPACE
    day = day or bookings.today()
    rows = bookings.day_bookings(session, space_id, day)
    audit.record(session, principal.user, "list", region_slug=region.slug,
                 target=f"space:{space_id}:bookings", address=client_address(request),
                 day=day.isoformat(), count=len(rows))
    session.commit()
    return [staff_booking_out(session, row, space, region.slug) for row in rows]


@router.post("/{space_id}/bookings/{booking_id}/cancel", summary="Cancel a booking")
def cancel_booking(request: Request, region: RegionDep, session: SessionDep,
                   principal: PrincipalDep, space_id: Id, booking_id: Id) -> BookingOut:
    """By the member who booked or the region's staff; the seat is free again. Cancelling
    a cancelled booking changes nothing."""
    booking, space = _cancel(request, region, session, principal, space_id, booking_id)
    return booking_out(booking, space, region.slug)


@router.delete("/{space_id}/bookings/{booking_id}", status_code=204,
               summary="Cancel a booking (same as .../cancel)")
def delete_booking(request: Request, region: RegionDep, session: SessionDep,
                   principal: PrincipalDep, space_id: Id, booking_id: Id) -> Response:
    """The booking is kept, marked cancelled (the figures stay right)."""
    _cancel(request, region, session, principal, space_id, booking_id)
    return Response(status_code=204)


def _cancel(request: Request, region: RegionFolder, session: Session, principal: Principal,
            space_id: int, booking_id: int) -> tuple[Booking, Space]:
    own = principal.role is Role.MEMBER
    if not own and not principal.can_write_region(region.slug):
        raise deny(session, request, principal, region.slug)
    booking = bookings.region_booking(session, region_id(session, region.slug), space_id,
                                      booking_id)
    if booking is None:
        raise NO_BOOKING
    if own and booking.member_id != principal.user.member_id:
        raise NO_BOOKING  # as for a missing one: no existence oracle
    space = session.get(Space, space_id)
    assert space is not None
    booking_actions.cancel_booking(session, principal, region.slug, booking,
                                   address=client_address(request))
    return booking, space


@router.post("", status_code=201, summary="Add a space (staff)")
def add_space(request: Request, region: WriterRegionDep, session: SessionDep,
              principal: PrincipalDep, fields: SpaceFields) -> SpaceOut:
    """A new office or coworking space of the region, open to bookings."""
    space = create_space(session, region.slug, fields)
    audit.record(session, principal.user, "create", region_slug=region.slug,
                 target=f"space:{space.id}", address=client_address(request))
    session.commit()
    session.refresh(space)
    return space_out(space, region.slug)


@router.patch("/{space_id}", summary="Change a space (staff)",
              responses={409: {"description": "The space changed since it was read, or "
                                              "fewer seats than a day to come has booked"}})
def patch_space(request: Request, region: WriterRegionDep, session: SessionDep,
                principal: PrincipalDep, space_id: Id, change: SpaceUpdate) -> SpaceOut:
    """Apply the fields sent; ``version`` must be the one last read, else 409. ``seats``
    below the seats booked on a half day to come is a 409 naming those half days."""
    space = region_space(session, region.slug, space_id)
    if space is None:
        raise NO_SPACE
    try:
        fields = update_space(session, space, change)
    except VersionConflict:
        raise HTTPException(status_code=409, detail="The space was changed by someone else; "
                            "read it again") from None
    except SeatsBelowBookings as refused:
        raise HTTPException(status_code=409, detail=f"seats: {refused.message()}"
                            ) from None
    audit.record(session, principal.user, "update", region_slug=region.slug,
                 target=f"space:{space_id}", address=client_address(request), fields=fields)
    session.commit()
    session.refresh(space)
    return space_out(space, region.slug)


@router.post("/{space_id}/deactivate", summary="Close a space to bookings (staff)")
def deactivate(request: Request, region: WriterRegionDep, session: SessionDep,
               principal: PrincipalDep, space_id: Id) -> SpaceOut:
    """No new booking is taken; bookings made stay (cancel them one by one if needed).
    ``PATCH`` with ``active: true`` opens it again."""
    space = region_space(session, region.slug, space_id)
    if space is None:
        raise NO_SPACE
    if space.active:
        try:
            update_space(session, space, SpaceUpdate(version=space.version, active=False))
        except VersionConflict:
            raise HTTPException(status_code=409, detail="The space was changed by someone "
                                "else; read it again") from None
        audit.record(session, principal.user, "deactivate", region_slug=region.slug,
                     target=f"space:{space_id}", address=client_address(request))
        session.commit()
        session.refresh(space)
    return space_out(space, region.slug)


@me.get("", summary="My desk bookings")
def my_bookings(session: SessionDep, principal: MemberDep,
                since: Annotated[IsoDate | None, Query(description="Default: today")] = None
                ) -> list[BookingOut]:
    """The signed-in member's bookings from ``since`` (today by default), soonest first."""
    assert principal.user.member_id is not None
    rows = bookings.member_bookings(session, principal.user.member_id,
                                    since or bookings.today())
    slugs = _slugs(session)
    return [booking_out(booking, space, slugs[space.region_id]) for booking, space in rows]


def _slugs(session: Session) -> dict[int, str]:
    return {int(rid): slug for rid, slug in session.exec(select(Region.id, Region.slug)).all()
            if rid is not None}
