"""The outbox's pages: administrators see every e-mail with its text, the secrets of its
links masked (in the demo, where no mail server runs, this is where what would have been
sent is read); a region's staff see the state of their region's e-mails, without their
text. Each view is audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session, col, select

from campagne.api.bounds import Id
from campagne.api.deps import SessionDep
from campagne.api.security import client_address
from campagne.auth import audit
from campagne.auth.access import Principal
from campagne.i18n import gettext
from campagne.models import utc_now
from campagne.outbox.models import MailState, OutboxMail
from campagne.outbox.retention import has_masked_link, mask_links
from campagne.web.admin_pages import AdminPageDep
from campagne.web.pages import RendererDep
from campagne.web.sessions import CSRF_CHECKED, SIGNED_IN_PAGE, PagePrincipalDep
from campagne.web.staff_pages import StaffRegionDep

admin = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[SIGNED_IN_PAGE])
staff = APIRouter(prefix="/{slug}/staff", include_in_schema=False,
                  dependencies=[SIGNED_IN_PAGE])
SHOWN = 200
STATES = [state.value for state in MailState]
StateFilter = Annotated[str, Query(max_length=10)]


def recent_mail(session: Session, *, state: str | None = None,
                region_slug: str | None = None) -> list[OutboxMail]:
    """The newest e-mails of the outbox, of ``state`` and ``region_slug`` when given."""
    query = select(OutboxMail).order_by(col(OutboxMail.id).desc()).limit(SHOWN)
    if state:
        query = query.where(OutboxMail.state == state)
    if region_slug:
        query = query.where(OutboxMail.region_slug == region_slug)
    return list(session.exec(query).all())


def _chosen(state: str) -> str | None:
    return state if state in STATES else None


@admin.get("/outbox", response_class=HTMLResponse)
def admin_outbox(request: Request, session: SessionDep, renderer: RendererDep,
                 principal: AdminPageDep, state: StateFilter = "") -> HTMLResponse:
    """Every recent e-mail with its text, filtered by state."""
    mails = recent_mail(session, state=_chosen(state))
    _audit(request, session, principal, None, len(mails))
    return renderer.render(request, "account/outbox.html", {
        "mails": mails, "states": STATES, "chosen": _chosen(state), "full": True,
        "mask": mask_links, "can_retry": _can_retry, "csrf": request.state.csrf_token,
        "action": "/admin/outbox"}, page="admin")


@admin.post("/outbox/{mail_id}/retry", dependencies=[CSRF_CHECKED])
def retry_mail(request: Request, session: SessionDep, principal: AdminPageDep,
               mail_id: Id) -> RedirectResponse:
    """Put a failed e-mail back in the queue, once what made it fail is fixed (the SMTP
    settings, a refused address); one whose link was masked cannot be sent again."""
    mail = session.get(OutboxMail, mail_id)
    if mail is None or not _can_retry(mail):
        raise HTTPException(status_code=404,
                            detail=gettext("This e-mail cannot be sent again."))
    mail.state, mail.attempts, mail.next_attempt_at = MailState.QUEUED.value, 0, utc_now()
    audit.record(session, principal.user, "outbox_retry", region_slug=mail.region_slug,
                 target=f"outbox:{mail.id}", address=client_address(request),
                 last_error=mail.last_error or "")
    session.commit()
    return RedirectResponse("/admin/outbox?state=queued", status_code=303)


def _can_retry(mail: OutboxMail) -> bool:
    return mail.state == MailState.FAILED.value and not has_masked_link(mail.body)


@staff.get("/outbox", response_class=HTMLResponse)
def staff_outbox(request: Request, session: SessionDep, renderer: RendererDep,
                 region: StaffRegionDep, principal: PagePrincipalDep,
                 state: StateFilter = "") -> HTMLResponse:
    """The state of the region's recent e-mails (not their text), filtered by state."""
    mails = recent_mail(session, state=_chosen(state), region_slug=region.slug)
    _audit(request, session, principal, region.slug, len(mails))
    return renderer.render(request, "account/outbox.html", {
        "mails": mails, "states": STATES, "chosen": _chosen(state), "full": False,
        "action": f"/{region.slug}/staff/outbox"},
        region=region, page="staff_outbox")


def _audit(request: Request, session: Session, principal: Principal, region_slug: str | None,
           count: int) -> None:
    audit.record(session, principal.user, "list", region_slug=region_slug, target="outbox",
                 address=client_address(request), count=count)
    session.commit()
