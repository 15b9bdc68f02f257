"""``/api/v1/me``: a member's own record: see it, correct it, download it, ask for erasure."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session

from campagne.api.deps import SessionDep
from campagne.api.member_schemas import MemberOut, SelfUpdate
from campagne.api.security import SIGNED_IN, MemberDep, client_address
from campagne.auth import audit
from campagne.auth.access import Principal
from campagne.gdpr import (
    VersionConflict,
    apply_update,
    export_member,
    member_out,
    withdraw_consent,
)
from campagne.models import Member, Region

router = APIRouter(prefix="/api/v1/me", tags=["me"], dependencies=[SIGNED_IN])


def own_record(session: Session, principal: Principal) -> tuple[Member, str]:
    """The caller's record and its region's slug."""
    member = session.get(Member, principal.user.member_id)
    region = session.get(Region, member.region_id) if member else None
    if member is None or region is None:
        raise HTTPException(status_code=404, detail="No record")
    return member, region.slug


@router.get("", summary="My record")
def read_me(session: SessionDep, principal: MemberDep) -> MemberOut:
    """The signed-in member's own record."""
    member, slug = own_record(session, principal)
    return member_out(member, slug)


@router.patch("", summary="Correct my record", responses={409: {"description": "Changed"}})
def correct_me(request: Request, session: SessionDep, principal: MemberDep,
               change: SelfUpdate) -> MemberOut:
    """Correct one's own contact details (GDPR art. 16); ``version`` as last read."""
    member, slug = own_record(session, principal)
    try:
        fields = apply_update(session, member, change)
    except VersionConflict:
        raise HTTPException(status_code=409, detail="The record was changed; read it again"
                            ) from None
    audit.record(session, principal.user, "update", region_slug=slug,
                 target=f"member:{member.id}", address=client_address(request), fields=fields)
    session.commit()
    return member_out(member, slug)


@router.get("/export", summary="Download all my data (JSON)")
def export_me(request: Request, session: SessionDep, principal: MemberDep) -> JSONResponse:
    """Everything held about the signed-in member (GDPR art. 15 and 20)."""
    member, slug = own_record(session, principal)
    data: dict[str, Any] = export_member(session, member, slug, principal.user,
                                         request.app.state.instance)
    audit.record(session, principal.user, "export", region_slug=slug,
                 target=f"member:{member.id}", address=client_address(request))
    session.commit()
    return JSONResponse(data, headers={
        "Content-Disposition": 'attachment; filename="my-data.json"'})


@router.post("/erasure-request", status_code=202, summary="Ask for my data to be erased")
def request_erasure(request: Request, session: SessionDep, principal: MemberDep
                    ) -> dict[str, str]:
    """Record the request for the region's staff, who erase within one month (art. 17)."""
    member, slug = own_record(session, principal)
    audit.record(session, principal.user, "erasure_requested", region_slug=slug,
                 target=f"member:{member.id}", address=client_address(request))
    session.commit()
    return {"detail": "Request recorded; the programme's staff will erase your data."}


@router.post("/consents/{purpose}/withdraw", summary="Withdraw a consent")
def withdraw(request: Request, session: SessionDep, principal: MemberDep,
             purpose: str) -> dict[str, int]:
    """Withdraw one's consent to ``purpose`` (GDPR art. 7.3); answers how many were live."""
    member, slug = own_record(session, principal)
    count = withdraw_consent(session, member, purpose[:40])
    audit.record(session, principal.user, "consent_withdrawn", region_slug=slug,
                 target=f"member:{member.id}", address=client_address(request),
                 purpose=purpose[:40])
    session.commit()
    return {"withdrawn": count}
