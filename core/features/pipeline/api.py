"""``/api/v1/regions/{slug}/inquiries``: the staff pipeline of a region (list, search, read,
change, interactions, conversion) and ``.../members/{member_id}/timeline``. Personal
records: the region's staff only; read-only staff may read; every read and change is
audited. Creating an inquiry (``POST .../inquiries``) is the public intake's."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session

from campagne.api.bounds import Id, Page
from campagne.api.deps import InstanceDep, SessionDep
from campagne.api.security import (
    SIGNED_IN,
    PrincipalDep,
    ReaderRegionDep,
    WriterRegionDep,
    client_address,
)
from campagne.auth import audit
from campagne.auth.access import Principal
from campagne.config import localize
from campagne.features.pipeline import actions, rules
from campagne.features.pipeline.eligibility import eligibility
from campagne.features.pipeline.rules import (
    AlreadyConverted,
    InquiryCriteria,
    InquiryErased,
    PipelineError,
)
from campagne.features.pipeline.schemas import (
    ConvertedOut,
    ConvertIn,
    InquiryDetail,
    InquiryOut,
    InquiryPage,
    InquirySearch,
    InquiryUpdate,
    InteractionIn,
    TimelineEntryOut,
    entry_out,
    inquiry_out,
)
from campagne.gdpr import VersionConflict, region_member
from campagne.i18n import current_locale
from campagne.instance import Instance
from campagne.operations import timeline
from campagne.operations.models import Inquiry, Interaction
from campagne.regions import RegionFolder

router = APIRouter(prefix="/api/v1/regions/{slug}", tags=["inquiries"],
                   dependencies=[SIGNED_IN])
NOT_FOUND = HTTPException(status_code=404, detail="Unknown inquiry")
CONFLICT = HTTPException(status_code=409, detail="The inquiry was changed by someone else; "
                         "read it again")
ERASED = HTTPException(status_code=409, detail="The inquiry was erased")


def invalid(error: PipelineError) -> JSONResponse:
    """A 422 naming the field, in the shape of the application's validation errors."""
    return JSONResponse({"detail": "Invalid input",
                         "errors": [{"field": error.field, "message": error.message}]},
                        status_code=422)


def page_of(session: Session, region: RegionFolder, total: int, rows: list[Inquiry],
            criteria: InquiryCriteria) -> InquiryPage:
    """One page of inquiries in the API shape."""
    emails = timeline.account_emails(session, {r.advisor_id for r in rows if r.advisor_id})
    return InquiryPage(total=total, page=criteria.page, per_page=criteria.per_page,
                       items=[_out(region, row, emails) for row in rows])


def _out(region: RegionFolder, row: Inquiry, emails: dict[int, str]) -> InquiryOut:
    stage = region.config.pipeline.stage(row.stage)
    label = localize(stage.label, current_locale.get()) if stage else row.stage
    return inquiry_out(row, region.slug, label,
                       emails.get(row.advisor_id) if row.advisor_id else None)


def _listed(request: Request, session: Session, principal: Principal, region: RegionFolder,
            criteria: InquiryCriteria) -> InquiryPage:
    total, rows = rules.find_inquiries(session, region.slug, criteria)
    audit.record(session, principal.user, "list", region_slug=region.slug, target="inquiries",
                 address=client_address(request), count=len(rows))
    session.commit()
    return page_of(session, region, total, rows, criteria)


@router.get("/inquiries", summary="List a region's inquiries (non-identifying filters only)")
def list_inquiries(
    request: Request, region: ReaderRegionDep, session: SessionDep, principal: PrincipalDep,
    stage: Annotated[str | None, Query(max_length=40)] = None,
    advisor_id: Id | None = None,
    unassigned: bool = False,
    due_by: Annotated[dt.date | None, Query(description="Next action due on or before")] = None,
    page: Annotated[Page, Query()] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> InquiryPage:
    """Filtered by stage, advisor and next action due; search by name or e-mail address
    with ``POST .../inquiries/search`` (docs/decisions/0001-no-personal-data-in-urls.md)."""
    criteria = InquiryCriteria(stage=stage, advisor_id=advisor_id, unassigned=unassigned,
                               due_by=due_by, page=page, per_page=per_page)
    return _listed(request, session, principal, region, criteria)


@router.post("/inquiries/search", summary="Search a region's inquiries by name or e-mail")
def search_inquiries(request: Request, region: ReaderRegionDep, session: SessionDep,
                     principal: PrincipalDep, criteria: InquirySearch) -> InquiryPage:
    """The same list, with identifying criteria kept out of the URL."""
    return _listed(request, session, principal, region,
                   InquiryCriteria(**criteria.model_dump()))


def detail_of(instance: Instance, session: Session, region: RegionFolder,
              inquiry: Inquiry) -> InquiryDetail:
    """An inquiry with its verdict and timeline, in the API shape."""
    entries = rules.inquiry_timeline(session, inquiry)
    emails = timeline.account_emails(
        session, {r.author_id for r in entries if r.author_id} | (
            {inquiry.advisor_id} if inquiry.advisor_id else set()))
    base = _out(region, inquiry, emails)
    locale = current_locale.get()
    return InquiryDetail(**base.model_dump(),
                         eligibility=eligibility(instance, region.slug, inquiry),
                         timeline=[entry_out(row, emails, locale) for row in entries])


def _context(request: Request, instance: Instance, region: RegionFolder,
             session: Session) -> actions.Context:
    return actions.Context(instance, region, session, client_address(request))


def _found(session: Session, region: RegionFolder, inquiry_id: int) -> Inquiry:
    inquiry = rules.region_inquiry(session, region.slug, inquiry_id)
    if inquiry is None:
        raise NOT_FOUND
    return inquiry


@router.get("/inquiries/{inquiry_id}", summary="One inquiry, its eligibility and timeline")
def get_inquiry(request: Request, instance: InstanceDep, region: ReaderRegionDep,
                session: SessionDep, principal: PrincipalDep, inquiry_id: Id) -> InquiryDetail:
    """An inquiry of the region (404 for other regions' ids), with the eligibility verdict
    computed by the simulator's plug-ins."""
    inquiry = _found(session, region, inquiry_id)
    audit.record(session, principal.user, "read", region_slug=region.slug,
                 target=f"inquiry:{inquiry_id}", address=client_address(request))
    session.commit()
    return detail_of(instance, session, region, inquiry)


@router.patch("/inquiries/{inquiry_id}", summary="Change an inquiry (stage, advisor, next "
              "action, corrections)", response_model=InquiryDetail,
              responses={409: {"description": "The inquiry changed since it was read"},
                         422: {"description": "A value is refused; the field is named"}})
def patch_inquiry(request: Request, instance: InstanceDep, region: WriterRegionDep,
                  session: SessionDep, principal: PrincipalDep, inquiry_id: Id,
                  change: InquiryUpdate) -> Any:
    """Apply the fields sent; ``version`` must be the one last read, else 409. A new
    ``advisor_id`` must be writing staff of the region."""
    inquiry = _found(session, region, inquiry_id)
    try:
        actions.change(_context(request, instance, region, session), principal, inquiry,
                       change.values(), change.version)
    except PipelineError as error:
        return invalid(error)
    except VersionConflict:
        raise CONFLICT from None
    except InquiryErased:
        raise ERASED from None
    return detail_of(instance, session, region, inquiry)


@router.post("/inquiries/{inquiry_id}/interactions", status_code=201,
             summary="Record a call, e-mail, meeting, visit or note",
             response_model=TimelineEntryOut)
def add_interaction(request: Request, instance: InstanceDep, region: WriterRegionDep,
                    session: SessionDep, principal: PrincipalDep, inquiry_id: Id,
                    entry: InteractionIn) -> Any:
    """Added to the inquiry's timeline (and its member's, once converted)."""
    inquiry = _found(session, region, inquiry_id)
    try:
        row = actions.record_interaction(_context(request, instance, region, session),
                                         principal, inquiry, entry.kind, entry.summary,
                                         entry.on)
    except PipelineError as error:
        return invalid(error)
    except InquiryErased:
        raise ERASED from None
    return entry_out(row, {principal.user_id: principal.user.email}, current_locale.get())


@router.post("/inquiries/{inquiry_id}/convert", status_code=201, response_model=ConvertedOut,
             summary="Make the inquiry a member",
             responses={409: {"description": "Already converted: the body gives member_id"}})
def convert(request: Request, instance: InstanceDep, region: WriterRegionDep,
            session: SessionDep, principal: PrincipalDep, inquiry_id: Id,
            body: ConvertIn | None = None) -> Any:
    """Create the member from the inquiry's fields, link them and move the timeline to the
    member; a second conversion answers 409 with the member's id."""
    inquiry = _found(session, region, inquiry_id)
    options = body or ConvertIn()
    try:
        member = actions.convert(_context(request, instance, region, session), principal,
                                 inquiry, sector=options.sector,
                                 origin_country=options.origin_country)
    except AlreadyConverted as done:
        return JSONResponse({"detail": "The inquiry was already converted",
                             "member_id": done.member_id}, status_code=409)
    except PipelineError as error:
        return invalid(error)
    except InquiryErased:
        raise ERASED from None
    assert member.id is not None
    return ConvertedOut(inquiry_id=inquiry_id, member_id=member.id)


@router.get("/members/{member_id}/timeline", summary="A member's whole history")
def member_timeline(request: Request, region: ReaderRegionDep, session: SessionDep,
                    principal: PrincipalDep, member_id: Id) -> list[TimelineEntryOut]:
    """Every entry of the member and of the inquiries they came from, oldest first."""
    member = region_member(session, region.slug, member_id)
    if member is None:
        raise HTTPException(status_code=404, detail="Unknown member")
    audit.record(session, principal.user, "read", region_slug=region.slug,
                 target=f"member:{member_id}", address=client_address(request),
                 part="timeline")
    session.commit()
    rows: list[Interaction] = timeline.member_timeline(session, member)
    emails = timeline.account_emails(session, {r.author_id for r in rows if r.author_id})
    locale = current_locale.get()
    return [entry_out(row, emails, locale) for row in rows]
