"""``POST /account/newsletter``: a member gives or withdraws their consent to receive their
region's newsletter, from the panel of their account page. Audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from campagne.api.deps import SessionDep
from campagne.api.security import client_address
from campagne.auth import audit
from campagne.auth.models import Role
from campagne.features.newsletters.consent import member_subscription, subscribe_member, withdraw
from campagne.i18n import gettext
from campagne.models import Member, Region, utc_now
from campagne.web.sessions import CSRF_CHECKED, SIGNED_IN_PAGE, PagePrincipalDep

router = APIRouter(prefix="/account/newsletter", include_in_schema=False,
                   dependencies=[SIGNED_IN_PAGE])


@router.post("", dependencies=[CSRF_CHECKED])
def choose(request: Request, session: SessionDep, principal: PagePrincipalDep,
           subscribe: Annotated[str, Form(max_length=10)] = "") -> Response:
    """Subscribe (``subscribe=on``) or withdraw consent (members only; others: 404)."""
    member_id = principal.user.member_id if principal.role is Role.MEMBER else None
    member = session.get(Member, member_id) if member_id is not None else None
    if member is None or member.erased_at is not None or not member.email:
        raise HTTPException(status_code=404, detail=gettext("This page does not exist."))
    region = session.get(Region, member.region_id)
    now = utc_now()
    if subscribe == "on":
        subscribe_member(session, member, now)
        action = "newsletter_consent"
    else:
        current = member_subscription(session, member.id or 0)
        if current is not None and current.id is not None:
            withdraw(session, current.id, now)
        action = "newsletter_withdraw"
    audit.record(session, principal.user, action, region_slug=region.slug if region else None,
                 target=f"member:{member.id}", address=client_address(request))
    session.commit()
    return RedirectResponse("/account/?saved=1", status_code=303)
