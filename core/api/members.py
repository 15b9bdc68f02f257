"""``/api/v1/regions/{slug}/members``: personal records, for the region's staff only.
Every read, change, erasure and export is written to the audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, HTTPException, Query, Request
from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from campagne.api.bounds import Id, Page
from campagne.api.deps import InstanceDep, SessionDep
from campagne.api.member_schemas import (
    ConsentIn,
    MemberOut,
    MemberPage,
    MemberSearch,
    StaffUpdate,
    StatusValue,
)
from campagne.api.security import (
    SIGNED_IN,
    PrincipalDep,
    ReaderRegionDep,
    WriterRegionDep,
    client_address,
)
from campagne.auth import audit
from campagne.auth.access import Principal
from campagne.gdpr import (
    VersionConflict,
    apply_update,
    member_out,
    record_consent,
    region_member,
)
from campagne.models import Member, Region
from campagne.operations import member_erasure
from campagne.operations.member_events import member_status_changed

router = APIRouter(prefix="/api/v1/regions/{slug}/members", tags=["members"],
                   dependencies=[SIGNED_IN])
NOT_FOUND = HTTPException(status_code=404, detail="Unknown member")


def search_members(session: Session, region_slug: str, search: MemberSearch) -> MemberPage:
    """Members of a region matching ``search``, newest first, one page."""
    query = (select(Member).join(Region, col(Region.id) == col(Member.region_id))
             .where(Region.slug == region_slug))
    if search.name:
        pattern = f"%{search.name.lower()}%"
        query = query.where(or_(func.lower(Member.first_name).like(pattern),
                                func.lower(Member.last_name).like(pattern),
                                func.lower(Member.business_name).like(pattern)))
    if search.sector:
        query = query.where(Member.sector_slug == search.sector)
    if search.commune:
        query = query.where(func.lower(Member.commune) == search.commune.lower())
    if search.status:
        query = query.where(Member.status == search.status)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Member.id).desc())
                        .offset((search.page - 1) * search.per_page).limit(search.per_page)).all()
    return MemberPage(total=total, page=search.page, per_page=search.per_page,
                      items=[member_out(row, region_slug) for row in rows])


@router.get("", summary="List a region's members (non-identifying filters only)")
def list_members(
    request: Request, region: ReaderRegionDep, session: SessionDep, principal: PrincipalDep,
    sector: Annotated[str | None, Query(max_length=40)] = None,
    status: StatusValue | None = None,
    page: Annotated[Page, Query()] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MemberPage:
    """Paginated list filtered by sector and status; search by name or commune with
    ``POST .../members/search`` (docs/decisions/0001-no-personal-data-in-urls.md)."""
    search = MemberSearch(sector=sector, status=status, page=page, per_page=per_page)
    return _audited_search(request, session, principal, region.slug, search)


@router.post("/search", summary="Search a region's members by name, sector, commune, status")
def search(request: Request, region: ReaderRegionDep, session: SessionDep,
           principal: PrincipalDep, criteria: MemberSearch) -> MemberPage:
    """The same list, with identifying criteria kept out of the URL."""
    return _audited_search(request, session, principal, region.slug, criteria)


def _audited_search(request: Request, session: Session, principal: Principal, slug: str,
                    criteria: MemberSearch) -> MemberPage:
    result = search_members(session, slug, criteria)
    audit.record(session, principal.user, "list", region_slug=slug, target="members",
                 address=client_address(request), count=len(result.items))
    session.commit()
    return result


@router.get("/{member_id}", summary="One member's record")
def get_member(request: Request, region: ReaderRegionDep, session: SessionDep,
               principal: PrincipalDep, member_id: Id) -> MemberOut:
    """A record of the region (404 for other regions' ids)."""
    member = region_member(session, region.slug, member_id)
    if member is None:
        raise NOT_FOUND
    audit.record(session, principal.user, "read", region_slug=region.slug,
                 target=f"member:{member_id}", address=client_address(request))
    session.commit()
    return member_out(member, region.slug)


@router.patch("/{member_id}", summary="Change a member's record",
              responses={409: {"description": "The record changed since it was read"}})
def patch_member(request: Request, instance: InstanceDep, region: WriterRegionDep,
                 session: SessionDep, principal: PrincipalDep, member_id: Id,
                 change: StaffUpdate) -> MemberOut:
    """Apply the fields sent; ``version`` must be the one last read, else 409. A status
    that becomes ``settled`` is sent to plug-ins (``on_member_event``)."""
    member = region_member(session, region.slug, member_id)
    if member is None:
        raise NOT_FOUND
    previous_status = member.status
    try:
        fields = apply_update(session, member, change)
    except VersionConflict:
        raise HTTPException(status_code=409, detail="The record was changed by someone else; "
                            "read it again") from None
    audit.record(session, principal.user, "update", region_slug=region.slug,
                 target=f"member:{member_id}", address=client_address(request), fields=fields)
    session.commit()
    member_status_changed(instance, session, region, member, previous_status)  # pipeline
    session.refresh(member)
    return member_out(member, region.slug)


@router.post("/{member_id}/erase", summary="Erase a person (anonymise the record)")
def erase(request: Request, instance: InstanceDep, region: WriterRegionDep,
          session: SessionDep, principal: PrincipalDep, member_id: Id,
          tasks: BackgroundTasks) -> MemberOut:
    """Remove identity and contact details; aggregate figures stay unchanged. The person's
    sign-ups to meetups to come and desk bookings from today are cancelled (the places go
    to the people waiting); past ones stay, anonymised."""
    member = region_member(session, region.slug, member_id)
    if member is None:
        raise NOT_FOUND
    member_erasure.erase(instance, session, region, member, principal.user,
                         client_address(request), tasks)
    return member_out(member, region.slug)


@router.post("/{member_id}/consents", status_code=201, summary="Record a consent")
def add_consent(request: Request, region: WriterRegionDep, session: SessionDep,
                principal: PrincipalDep, member_id: Id, consent: ConsentIn) -> dict[str, str]:
    """Record that the person consented to ``purpose`` today (e.g. ``keep_application``)."""
    member = region_member(session, region.slug, member_id)
    if member is None:
        raise NOT_FOUND
    row = record_consent(session, member, consent.purpose)
    audit.record(session, principal.user, "consent", region_slug=region.slug,
                 target=f"member:{member_id}", address=client_address(request),
                 purpose=consent.purpose)
    session.commit()
    return {"purpose": row.purpose, "given_at": row.given_at.isoformat()}


@router.get("/export/json", summary="Export the region's member records (JSON)")
def export_region(request: Request, region: ReaderRegionDep, session: SessionDep,
                  principal: PrincipalDep) -> list[MemberOut]:
    """Every record of the region; the export is written to the audit trail."""
    rows = session.exec(select(Member).join(Region, col(Region.id) == col(Member.region_id))
                        .where(Region.slug == region.slug).order_by(col(Member.id))).all()
    audit.record(session, principal.user, "export", region_slug=region.slug,
                 target="members", address=client_address(request), count=len(rows))
    session.commit()
    return [member_out(row, region.slug) for row in rows]
