"""``/api/v1/regions/{slug}/members``: personal records, for the region's staff only.
Every read, change, erasure and export is written to the audit trail."""

from __future__ import annotations

from array import array
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, HTTPException, Query, Request
from sqlalchemy import BindParameter, Engine, bindparam, func, literal_column
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from campagne.api.bounds import Id, Page
from campagne.api.deps import InstanceDep, SessionDep
from campagne.api.member_schemas import (
    BEFORE,
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
from campagne.revisions.cache import region_figure

router = APIRouter(prefix="/api/v1/regions/{slug}/members", tags=["members"],
                   dependencies=[SIGNED_IN])
NOT_FOUND = HTTPException(status_code=404, detail="Unknown member")


# The text a name search looks in: first name, last name and business name, as one string,
# so that "Marie Dupont" is found too. Literal spaces (not parameters), so that PostgreSQL
# matches it to the trigram index of migration 0013.
NAME_TEXT = func.lower(col(Member.first_name).concat(literal_column("' '"))
                       .concat(col(Member.last_name)).concat(literal_column("' '"))
                       .concat(func.coalesce(col(Member.business_name), literal_column("''"))))


def like_pattern(text: str) -> str:
    """``text`` as a LIKE pattern that matches it anywhere, its wildcards taken literally
    (escape character ``\\``)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _inline(name: str, value: object) -> BindParameter[Any]:
    """``value`` rendered into the SQL text (quoted by the dialect), not sent apart."""
    return bindparam(name, value, literal_execute=True)


#: From this many rows skipped, a page without a name searched starts at its anchor: the id
#: of each page's first row, read once per change of the region's records (one index-only
#: scan) and kept, so that page 10,000 costs what page 1 does.
ANCHORED_FROM_ROW = 10_000


def page_anchors(session: Session, query: SelectOfScalar[Any], per_page: int) -> array[int]:
    """The id of the first row of each page of ``query`` (member ids, newest first)."""
    numbered = query.add_columns(
        func.row_number().over(order_by=col(Member.id).desc()).label("position")).subquery()
    firsts = (select(numbered.c.id).where((numbered.c.position - 1) % per_page == 0)
              .order_by(numbered.c.id.desc()))
    return array("q", session.exec(firsts).all())


def search_members(session: Session, region_slug: str, search: MemberSearch) -> MemberPage:
    """Members of a region matching ``search``, newest first, one page.

    The page's ids are read first on the index (region, id) and only those 50 rows are then
    read whole, so that a deep page does not read every row before it; the total of a search
    without a name is kept in memory while the region's records do not change."""
    # Values written into the statement, not parameters: PostgreSQL then plans each search
    # for its own values (a prepared statement's generic plan does not know that the Gers
    # holds most rows, nor that a name's trigram index finds a few), and picks the index.
    region = session.exec(select(Region.id).where(Region.slug == region_slug)).one()
    query = select(Member.id).where(col(Member.region_id) == _inline("region_id", region))
    if search.name:
        query = query.where(NAME_TEXT.like(_inline("name", like_pattern(search.name)),
                                           escape="\\"))
    if search.sector:
        query = query.where(col(Member.sector_slug) == _inline("sector", search.sector))
    if search.commune:
        query = query.where(func.lower(Member.commune)
                            == _inline("commune", search.commune.lower()))
    if search.status:
        query = query.where(col(Member.status) == _inline("status", search.status))

    def count() -> int:
        return int(session.exec(select(func.count()).select_from(query.subquery())).one())

    engine = session.get_bind()
    if search.name or not isinstance(engine, Engine):  # names are never kept in memory
        total = count()
    else:
        key = ("member_count", search.sector, (search.commune or "").lower(), search.status)
        total = region_figure(engine, region_slug, key, count)
    skipped = (search.page - 1) * search.per_page
    if search.before is not None:  # keyset: the next page starts below the last id seen
        query = query.where(col(Member.id) < _inline("before", search.before))
    elif skipped >= ANCHORED_FROM_ROW and not search.name and isinstance(engine, Engine):
        anchors = region_figure(engine, region_slug, (
            "member_page_anchors", search.sector, (search.commune or "").lower(),
            search.status, search.per_page), lambda: page_anchors(session, query,
                                                                  search.per_page))
        if search.page <= len(anchors):  # the page starts at its anchor: no rows skipped
            query = query.where(col(Member.id) <= _inline("anchor", anchors[search.page - 1]))
            skipped = 0
    page_ids = query.order_by(col(Member.id).desc()).offset(skipped).limit(search.per_page)
    rows = session.exec(select(Member).where(col(Member.id).in_(page_ids.scalar_subquery()))
                        .order_by(col(Member.id).desc())).all()
    return MemberPage(total=total, page=search.page, per_page=search.per_page,
                      items=[member_out(row, region_slug) for row in rows])


@router.get("", summary="List a region's members (non-identifying filters only)")
def list_members(
    request: Request, region: ReaderRegionDep, session: SessionDep, principal: PrincipalDep,
    sector: Annotated[str | None, Query(max_length=40)] = None,
    status: StatusValue | None = None,
    page: Annotated[Page, Query()] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[Id | None, Query(description=BEFORE)] = None,
) -> MemberPage:
    """Paginated list filtered by sector and status; search by name or commune with
    ``POST .../members/search`` (docs/decisions/0001-no-personal-data-in-urls.md)."""
    search = MemberSearch(sector=sector, status=status, page=page, per_page=per_page,
                          before=before)
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
