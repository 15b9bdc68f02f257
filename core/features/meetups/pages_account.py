"""``/account/meetups``: a member's own sign-ups, each with a button to cancel it."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from campagne.api.bounds import Id
from campagne.api.deps import InstanceDep, SessionDep
from campagne.auth.models import Role
from campagne.features.meetups.api_staff import my_registrations
from campagne.features.meetups.models import Meetup, Registration
from campagne.features.meetups.notify import after_commit, queue_notices
from campagne.features.meetups.pages import STARTED
from campagne.features.meetups.rules import (
    CancellationClosed,
    cancel_registration,
    region_slug_of,
)
from campagne.i18n import gettext
from campagne.models import utc_now
from campagne.web.pages import RendererDep
from campagne.web.sessions import CSRF_CHECKED, SIGNED_IN_PAGE, PagePrincipalDep

router = APIRouter(prefix="/account/meetups", include_in_schema=False,
                   dependencies=[SIGNED_IN_PAGE])


@router.get("", response_class=HTMLResponse)
def my_meetups(request: Request, session: SessionDep, renderer: RendererDep,
               principal: PagePrincipalDep) -> HTMLResponse:
    """The meetups the member signed up for, latest first (staff see an empty list)."""
    member_id = principal.user.member_id if principal.role is Role.MEMBER else None
    rows = my_registrations(session, member_id) if member_id is not None else []
    return renderer.render(request, "meetups/account.html", {
        "rows": rows, "csrf": request.state.csrf_token, "now": utc_now()})


@router.post("/{registration_id}/cancel", dependencies=[CSRF_CHECKED])
def cancel_mine(request: Request, instance: InstanceDep, session: SessionDep,
                principal: PagePrincipalDep, registration_id: Id) -> Response:
    """Cancel one of the member's own sign-ups; the place goes to the first person waiting."""
    row = session.get(Registration, registration_id)
    meetup = session.get(Meetup, row.meetup_id) if row is not None else None
    if row is None or meetup is None or principal.role is not Role.MEMBER or \
            row.member_id is None or row.member_id != principal.user.member_id:
        raise HTTPException(status_code=404, detail=gettext("This sign-up does not exist."))
    region = instance.region(region_slug_of(session, meetup.region_id))
    if region is None:
        raise HTTPException(status_code=404, detail=gettext("This sign-up does not exist."))
    session.commit()
    try:
        _, notices = cancel_registration(session, row.meetup_id, registration_id)
    except CancellationClosed:
        session.rollback()
        raise HTTPException(status_code=409, detail=gettext(STARTED)) from None
    queue_notices(instance, region, session, notices)
    session.commit()
    after_commit(instance, region, notices)
    return RedirectResponse("/account/meetups", status_code=303)

