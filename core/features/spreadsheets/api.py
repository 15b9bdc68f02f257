"""Spreadsheet exports of a region's members and inquiries (CSV, XLSX), for its staff
(read-only staff included). Every export is written to the audit trail with its count.

The paths sit beside the JSON export (``.../members/export/json``): two literal segments
after ``members``, so the ``/members/{member_id}`` route never takes them, whatever the order
the routers are included in (docs/decisions/0013-spreadsheets.md). Identifying filters
(name, commune) go in the body of a POST, never in the URL."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import Engine

from campagne.api.deps import SessionDep
from campagne.api.member_schemas import StatusValue
from campagne.api.security import SIGNED_IN, PrincipalDep, ReaderRegionDep, client_address
from campagne.auth import audit
from campagne.auth.access import Principal
from campagne.features.spreadsheets.exporter import (
    MEDIA_TYPES,
    InquiryFilter,
    MemberFilter,
    Selection,
    count_and_last,
    csv_chunks,
    filename,
    headers,
    inquiry_selection,
    member_selection,
    read_rows,
    workbook_chunks,
)

log = logging.getLogger("campagne.spreadsheets")

router = APIRouter(prefix="/api/v1/regions/{slug}", tags=["exports"], dependencies=[SIGNED_IN])
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {media: {} for media in MEDIA_TYPES.values()},
          "description": "The file, as an attachment"}}
Sector = Annotated[str | None, Query(max_length=40)]


def sheet_response(request: Request, session: SessionDep, principal: Principal, slug: str,
                   selection: Selection, file_format: str, filters: dict[str, object]
                   ) -> Response:
    """The file as an attachment; the export is audited (count, format, filters used)
    before anything is sent. The records are then read in batches, each on a connection
    given back to the pool at once; both CSV and XLSX files are sent as they are written. A
    failure while a file is sent ends the transfer broken, never like a complete file
    (docs/decisions/0025-streamed-exports.md, 0036-workbooks-sent-as-written.md)."""
    count, last_id = count_and_last(session, selection)
    audit.record(session, principal.user, "export", region_slug=slug,
                 target=selection.kind.value, address=client_address(request), count=count,
                 format=file_format, filters=sorted(name for name, value in filters.items()
                                                    if value))
    session.commit()
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    titles = headers(selection.kind)  # in the request's language, before the stream
    rows = read_rows(engine, selection, last_id)
    name = filename(slug, selection.kind, file_format)
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    chunks = (csv_chunks(titles, rows) if file_format == "csv"
              else workbook_chunks(selection.kind, titles, rows))
    return StreamingResponse(broken_off_loudly(chunks, name),
                             media_type=MEDIA_TYPES[file_format], headers=disposition)


def broken_off_loudly(chunks: Iterator[bytes], name: str) -> Iterator[bytes]:
    """``chunks``, with a failure logged and raised again: the server then closes the
    connection without the end of the body, so the client sees a broken transfer rather
    than a file that looks complete."""
    sent = 0
    try:
        for chunk in chunks:
            sent += len(chunk)
            yield chunk
    except Exception:
        log.exception("export %s broken off after %d bytes: the transfer is left incomplete",
                      name, sent)
        raise


def _members(file_format: str) -> None:
    def by_query(request: Request, region: ReaderRegionDep, session: SessionDep,
                       principal: PrincipalDep, sector: Sector = None,
                       status: StatusValue | None = None) -> Response:
        chosen = MemberFilter(sector=sector, status=status)
        return sheet_response(request, session, principal, region.slug,
                              member_selection(region.slug, chosen), file_format,
                              chosen.model_dump())

    def by_body(request: Request, region: ReaderRegionDep, session: SessionDep,
                      principal: PrincipalDep, chosen: MemberFilter) -> Response:
        return sheet_response(request, session, principal, region.slug,
                              member_selection(region.slug, chosen), file_format,
                              chosen.model_dump())

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
        return sheet_response(request, session, principal, region.slug,
                              inquiry_selection(region.slug, chosen), file_format,
                              chosen.model_dump())

    router.add_api_route(f"/inquiries/export/{file_format}", by_query, methods=["GET"],
                         response_class=Response, responses=FILE_RESPONSES,
                         summary=f"Export the region's inquiries ({file_format.upper()}), "
                                 "filtered by stage and sector")


for _format in ("csv", "xlsx"):
    _members(_format)
    _inquiries(_format)
