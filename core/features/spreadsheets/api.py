"""Spreadsheet exports of a region's members and inquiries (CSV, XLSX), for its staff
(read-only staff included). Every export is written to the audit trail with its count.

The paths sit beside the JSON export (``.../members/export/json``): two literal segments
after ``members``, so the ``/members/{member_id}`` route never takes them, whatever the order
the routers are included in (docs/decisions/0013-spreadsheets.md). Identifying filters
(name, commune) go in the body of a POST, never in the URL."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from campagne.api.deps import SessionDep
from campagne.api.member_schemas import StatusValue
from campagne.api.security import SIGNED_IN, PrincipalDep, ReaderRegionDep, client_address
from campagne.auth import audit
from campagne.auth.access import Principal
from campagne.features.spreadsheets.exporter import (
    MEDIA_TYPES,
    InquiryFilter,
    MemberFilter,
    Record,
    export,
    filename,
    filtered_inquiries,
    filtered_members,
    values_of,
)
from campagne.features.spreadsheets.fields import Kind

router = APIRouter(prefix="/api/v1/regions/{slug}", tags=["exports"], dependencies=[SIGNED_IN])
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {media: {} for media in MEDIA_TYPES.values()},
          "description": "The file, as an attachment"}}
Sector = Annotated[str | None, Query(max_length=40)]


def sheet_response(request: Request, session: SessionDep, principal: Principal, slug: str,
                   kind: Kind, file_format: str, records: list[Record],
                   filters: dict[str, object]) -> Response:
    """The file as an attachment; the export is audited (count, format, filters used). The
    values are read, the audit committed, and only then the file built: no connection of
    the pool is held while it is."""
    rows = [values_of(kind, record) for record in records]
    audit.record(session, principal.user, "export", region_slug=slug, target=kind.value,
                 address=client_address(request), count=len(records), format=file_format,
                 filters=sorted(name for name, value in filters.items() if value))
    session.commit()
    content = export(kind, file_format, rows)
    name = filename(slug, kind, file_format)
    return Response(content, media_type=MEDIA_TYPES[file_format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _members(file_format: str) -> None:
    def by_query(request: Request, region: ReaderRegionDep, session: SessionDep,
                       principal: PrincipalDep, sector: Sector = None,
                       status: StatusValue | None = None) -> Response:
        chosen = MemberFilter(sector=sector, status=status)
        records: list[Record] = list(filtered_members(session, region.slug, chosen))
        return sheet_response(request, session, principal, region.slug, Kind.MEMBERS,
                              file_format, records, chosen.model_dump())

    def by_body(request: Request, region: ReaderRegionDep, session: SessionDep,
                      principal: PrincipalDep, chosen: MemberFilter) -> Response:
        records: list[Record] = list(filtered_members(session, region.slug, chosen))
        return sheet_response(request, session, principal, region.slug, Kind.MEMBERS,
                              file_format, records, chosen.model_dump())

    path = f"/members/export/{file_format}"
    router.add_api_route(path, by_query, methods=["GET"], response_class=Response,
                         responses=FILE_RESPONSES,
                         summary=f"Export the region's members ({file_format.upper()}), "
                                 "filtered by sector and status")
    router.add_api_route(path, by_body, methods=["POST"], response_class=Response,
                         responses=FILE_RESPONSES,
                         summary=f"Export the region's members ({file_format.upper()}), "
                                 "filtered by name, sector, commune and status")


def _inquiries(file_format: str) -> None:
    def by_query(request: Request, region: ReaderRegionDep, session: SessionDep,
                       principal: PrincipalDep, sector: Sector = None,
                       stage: Annotated[str | None, Query(max_length=40)] = None) -> Response:
        chosen = InquiryFilter(stage=stage, sector=sector)
        records: list[Record] = list(filtered_inquiries(session, region.slug, chosen))
        return sheet_response(request, session, principal, region.slug, Kind.INQUIRIES,
                              file_format, records, chosen.model_dump())

    router.add_api_route(f"/inquiries/export/{file_format}", by_query, methods=["GET"],
                         response_class=Response, responses=FILE_RESPONSES,
                         summary=f"Export the region's inquiries ({file_format.upper()}), "
                                 "filtered by stage and sector")


for _format in ("csv", "xlsx"):
    _members(_format)
    _inquiries(_format)
