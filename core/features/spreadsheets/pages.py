"""Staff pages for spreadsheets: import (upload, column mapping, preview of the report,
confirmation) and the export forms behind the buttons of the lists.

The uploaded file is kept in the database under a random token bound to the account, its
page session and the region, only until the import is confirmed or cancelled (30 minutes at
most); see :mod:`campagne.features.spreadsheets.uploads`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from campagne.api.deps import InstanceDep, SessionDep
from campagne.api.security import client_address
from campagne.auth.access import Principal
from campagne.features.spreadsheets import uploads
from campagne.features.spreadsheets.api import sheet_response
from campagne.features.spreadsheets.exporter import (
    InquiryFilter,
    MemberFilter,
    inquiry_selection,
    member_selection,
)
from campagne.features.spreadsheets.fields import FIELDS, IGNORE, Kind, auto_mapping
from campagne.features.spreadsheets.import_lock import ImportBusy, hold_import_lock
from campagne.features.spreadsheets.importer import (
    ImportConflict,
    Report,
    import_rows,
    region_by_slug,
    run_import,
)
from campagne.features.spreadsheets.models import SheetUpload
from campagne.features.spreadsheets.reading import Sheet, SheetError, limits_from, read_sheet
from campagne.features.spreadsheets.validation import MappingInvalid, Problem
from campagne.i18n import gettext
from campagne.regions import RegionFolder
from campagne.taxonomy import SECTORS
from campagne.web.capped_upload import CappedUploadRoute
from campagne.web.pages import RendererDep
from campagne.web.request_guard import InputRefused
from campagne.web.sessions import CSRF_CHECKED, SIGNED_IN_PAGE, PagePrincipalDep
from campagne.web.staff_pages import STATUSES, StaffRegionDep
from campagne.web.timeline_view import stage_label

router = APIRouter(prefix="/{slug}/staff", include_in_schema=False,
                   dependencies=[SIGNED_IN_PAGE])
KindField = Annotated[Kind, Form()]
Token = Annotated[str, Form(max_length=100)]
Mapping = Annotated[list[str], Form(alias="field")]
Short = Annotated[str, Form(max_length=120)]
SAMPLES = 2


def writer_region(region: StaffRegionDep, principal: PagePrincipalDep) -> RegionFolder:
    """The region, if the account may change its records (read-only staff may not import).
    A dependency, so that the refusal comes before any check of the form sent."""
    if not principal.can_write_region(region.slug):
        raise HTTPException(status_code=403, detail=gettext("Your account is read-only."))
    return region


WriterRegionDep = Annotated[RegionFolder, Depends(writer_region)]


def _render(request: Request, renderer: RendererDep, region: RegionFolder, template: str,
            context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return renderer.render(request, f"account/{template}", {
        "can_write": True, **context, "csrf": request.state.csrf_token,
        "kinds": [k.value for k in Kind],
        "stages": [(s.key, stage_label(region, s.key)) for s in region.config.pipeline.stages],
        "sectors": [s.slug for s in SECTORS]}, region=region, page="staff",
        status_code=status_code)


@router.get("/import", response_class=HTMLResponse)
def import_form(request: Request, session: SessionDep, renderer: RendererDep,
                region: StaffRegionDep, principal: PagePrincipalDep) -> HTMLResponse:
    """The upload form (for staff who may write) and the export of the inquiries (for all
    the region's staff)."""
    uploads.sweep(session)
    session.commit()
    return _render(request, renderer, region, "staff_import.html", {
        "error": None, "can_write": principal.can_write_region(region.slug)})


def upload(request: Request, instance: InstanceDep, session: SessionDep, renderer: RendererDep,
           region: WriterRegionDep, principal: PagePrincipalDep, kind: KindField,
           file: UploadFile, sheet: Annotated[str, Form(max_length=100)] = "") -> HTMLResponse:
    """Read the file's headers, keep the file, show the mapping step."""
    uploads.sweep(session)
    limits = limits_from(instance.settings)
    content = file.file.read(limits.max_bytes + 1)
    name = (file.filename or "")[-200:]
    try:
        parsed = read_sheet(content, name, sheet.strip() or None, limits)
    except SheetError as exc:
        session.commit()
        return _render(request, renderer, region, "staff_import.html",
                       {"error": exc.translated()}, status_code=422)
    token = uploads.keep(session, user_id=principal.user_id,
                         session_id=request.state.session_credential, region_slug=region.slug,
                         kind=kind.value, filename=name, sheet_name=sheet.strip() or None,
                         content=content)
    session.commit()
    return _mapping_page(request, renderer, region, kind, parsed, token,
                         auto_mapping(kind, parsed.headers), [])


# The body is counted while it arrives: past the file limit, 413 before it is all received.
router.add_api_route("/import", upload, methods=["POST"], response_class=HTMLResponse,
                     dependencies=[CSRF_CHECKED], route_class_override=CappedUploadRoute)


def _mapping_page(request: Request, renderer: RendererDep, region: RegionFolder, kind: Kind,
                  sheet: Sheet, token: str, mapping: list[str], problems: list[Problem],
                  status_code: int = 200) -> HTMLResponse:
    columns = [{"header": header, "field": mapping[index],
                "samples": [str(cells[index]) for _line, cells in sheet.rows[:SAMPLES]
                            if index < len(cells)]}
               for index, header in enumerate(sheet.headers)]
    return _render(request, renderer, region, "staff_import_mapping.html", {
        "kind": kind.value, "token": token, "columns": columns, "rows": len(sheet.rows),
        "fields": FIELDS[kind], "ignore": IGNORE,
        "problems": [problem.describe() for problem in problems]}, status_code)


def _stored(request: Request, session: SessionDep, region: RegionFolder, principal: Principal,
            token: str) -> tuple[SheetUpload, Sheet]:
    found = uploads.find(session, token, user_id=principal.user_id,
                         session_id=request.state.session_credential, region_slug=region.slug)
    if found is None:
        raise HTTPException(status_code=404, detail=gettext(
            "This upload has expired or was already used: upload the file again."))
    settings = request.app.state.instance.settings
    try:
        return found, read_sheet(found.content, found.filename, found.sheet_name,
                                 limits_from(settings))
    except SheetError as exc:  # read once already; only lowered limits get here
        raise InputRefused(status_code=422, detail=exc.translated()) from exc


@router.post("/import/preview", response_class=HTMLResponse, dependencies=[CSRF_CHECKED])
def preview(request: Request, session: SessionDep, renderer: RendererDep,
            region: WriterRegionDep, principal: PagePrincipalDep, token: Token,
            mapping: Mapping) -> HTMLResponse:
    """Check every row with the mapping chosen and show what the import would do."""
    stored, sheet = _stored(request, session, region, principal, token)
    kind, row = Kind(stored.kind), region_by_slug(session, region.slug)
    assert row is not None
    try:
        report = run_import(session, row, kind, sheet, mapping, dry_run=True)
    except MappingInvalid as exc:
        return _mapping_page(request, renderer, region, kind, sheet, token, list(mapping),
                             exc.problems, status_code=422)
    return _report_page(request, renderer, region, report, token, mapping)


@router.post("/import/mapping", response_class=HTMLResponse, dependencies=[CSRF_CHECKED])
def back_to_mapping(request: Request, session: SessionDep, renderer: RendererDep,
                    region: WriterRegionDep, principal: PagePrincipalDep, token: Token,
                    mapping: Mapping) -> HTMLResponse:
    """The mapping step again, with the choices made (to correct them)."""
    stored, sheet = _stored(request, session, region, principal, token)
    chosen = list(mapping) if len(mapping) == len(sheet.headers) else auto_mapping(
        Kind(stored.kind), sheet.headers)
    return _mapping_page(request, renderer, region, Kind(stored.kind), sheet, token, chosen, [])


def _report_page(request: Request, renderer: RendererDep, region: RegionFolder,
                 report: Report, token: str | None, mapping: list[str],
                 status_code: int = 200) -> HTMLResponse:
    return _render(request, renderer, region, "staff_import_report.html", {
        "report": report, "summary": report.summary(), "token": token, "mapping": mapping,
        "problems": [problem.describe() for problem in report.problems]}, status_code)


@router.post("/import/confirm", response_class=HTMLResponse, dependencies=[CSRF_CHECKED])
def confirm(request: Request, session: SessionDep, renderer: RendererDep,
            region: WriterRegionDep, principal: PagePrincipalDep, token: Token,
            mapping: Mapping) -> HTMLResponse:
    """Write the rows in one transaction (nothing at all if a row is refused), audit it,
    and forget the file. The region's import lock is taken before the file is looked up,
    so a confirmation sent twice finds the file used (404) and writes nothing."""
    row = region_by_slug(session, region.slug)
    assert row is not None and row.id is not None
    try:
        hold_import_lock(session, row.id)
        stored, sheet = _stored(request, session, region, principal, token)
        kind = Kind(stored.kind)
        try:
            report = import_rows(session, row, kind, sheet, mapping, actor=principal.user,
                                 filename=stored.filename, address=client_address(request),
                                 also=lambda: uploads.discard(session, stored))
        except MappingInvalid as exc:
            return _mapping_page(request, renderer, region, kind, sheet, token,
                                 list(mapping), exc.problems, status_code=422)
    except ImportConflict:
        session.rollback()
        return _try_again(request, renderer, region, token, mapping, gettext(
            "A record changed while the file was being imported: nothing was written; "
            "import it again."))
    except ImportBusy:
        session.rollback()
        return _try_again(request, renderer, region, token, mapping, gettext(
            "Another import into this region is still being written: nothing was "
            "written; confirm again when it has ended."))
    if not report.written:
        return _report_page(request, renderer, region, report, token, mapping, 422)
    return _report_page(request, renderer, region, report, None, mapping)


def _try_again(request: Request, renderer: RendererDep, region: RegionFolder, token: str,
               mapping: list[str], message: str) -> HTMLResponse:
    """The report step with ``message`` and the confirmation button again (409)."""
    return _render(request, renderer, region, "staff_import_report.html", {
        "report": None, "summary": message, "failed": True, "token": token,
        "mapping": mapping, "problems": []}, status_code=409)


@router.post("/import/cancel", dependencies=[CSRF_CHECKED])
def cancel(request: Request, session: SessionDep, region: WriterRegionDep,
           principal: PagePrincipalDep, token: Token) -> Response:
    """Forget the uploaded file now."""
    found = uploads.find(session, token, user_id=principal.user_id,
                         session_id=request.state.session_credential, region_slug=region.slug)
    if found is not None:
        uploads.discard(session, found)
        session.commit()
    return RedirectResponse(f"/{region.slug}/staff/import", status_code=303)


@router.post("/export/members", dependencies=[CSRF_CHECKED])
def export_members(request: Request, session: SessionDep, region: StaffRegionDep,
                   principal: PagePrincipalDep, file_format: Annotated[str, Form(
                       alias="format", pattern="^(csv|xlsx)$")],
                   name: Short = "", sector: Short = "", commune: Short = "",
                   status: Short = "") -> Response:
    """The staff list, filtered as on screen, as a file (read-only staff too; audited)."""
    chosen = MemberFilter(name=name or None, sector=sector or None, commune=commune or None,
                          status=status if status in STATUSES else None)
    return sheet_response(request, session, principal, region.slug,
                          member_selection(region.slug, chosen), file_format,
                          chosen.model_dump())


@router.post("/export/inquiries", dependencies=[CSRF_CHECKED])
def export_inquiries(request: Request, session: SessionDep, region: StaffRegionDep,
                     principal: PagePrincipalDep, file_format: Annotated[str, Form(
                         alias="format", pattern="^(csv|xlsx)$")],
                     stage: Short = "", sector: Short = "") -> Response:
    """The region's inquiries, filtered by stage and sector, as a file (audited)."""
    chosen = InquiryFilter(stage=stage or None, sector=sector or None)
    return sheet_response(request, session, principal, region.slug,
                          inquiry_selection(region.slug, chosen), file_format,
                          chosen.model_dump())
