"""Administrator pages: accounts and the audit trail (read-only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlmodel import col, select

from campagne.api.admin import audit_events
from campagne.api.deps import InstanceDep, SessionDep
from campagne.api.security import client_address, deny
from campagne.auth import audit, tokens
from campagne.auth.access import Principal
from campagne.auth.accounts import AccountError, create_account, deactivate
from campagne.auth.models import CredentialKind, Role, UserAccount
from campagne.i18n import gettext
from campagne.mail import link_url
from campagne.web.pages import RendererDep
from campagne.web.sessions import CSRF_CHECKED, SIGNED_IN_PAGE, PagePrincipalDep

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[SIGNED_IN_PAGE])
Field = Annotated[str, Form(max_length=200)]


def admin_only(request: Request, session: SessionDep, principal: PagePrincipalDep) -> Principal:
    """The signed-in administrator, or 403."""
    if principal.role is not Role.ADMIN:
        deny(session, request, principal)
        raise HTTPException(status_code=403, detail=gettext("Administrators only."))
    return principal


AdminPageDep = Annotated[Principal, Depends(admin_only)]


def _users_page(request: Request, session: SessionDep, renderer: RendererDep,
                **extra: object) -> HTMLResponse:
    users = session.exec(select(UserAccount).order_by(col(UserAccount.email))).all()
    return renderer.render(request, "account/admin_users.html", {
        "users": users, "roles": [r.value for r in Role], "csrf": request.state.csrf_token,
        "me": getattr(request.state, "user_id", None), "link": None, "error": None, **extra},
        page="admin")


@router.get("/users", response_class=HTMLResponse)
def users(request: Request, session: SessionDep, renderer: RendererDep,
          _admin: AdminPageDep) -> HTMLResponse:
    """Every account, and a form to invite a new one."""
    return _users_page(request, session, renderer)


@router.post("/users", response_class=HTMLResponse, dependencies=[CSRF_CHECKED])
def invite(request: Request, instance: InstanceDep, session: SessionDep,
           renderer: RendererDep, admin: AdminPageDep, email: Field, role: Field,
           region: Field = "", read_only: Field = "", member: Field = "") -> HTMLResponse:
    """Create an account without password and show its invitation link."""
    try:
        user = create_account(
            session, instance.settings, email=email, role=Role(role),
            regions=[region] if region else [], read_only=bool(read_only),
            member_id=int(member) if member.isdigit() else None)
    except (AccountError, ValueError) as exc:
        session.rollback()
        return _users_page(request, session, renderer, error=str(exc))
    issued = tokens.issue(session, instance.settings, user, CredentialKind.INVITE)
    audit.record(session, admin.user, "account_created", target=f"user:{user.id}",
                 address=client_address(request), role=role)
    session.commit()
    return _users_page(request, session, renderer,
                       link=link_url(instance.settings, issued.secret))


@router.post("/users/{user_id}/block", response_class=HTMLResponse,
             dependencies=[CSRF_CHECKED])
def block(request: Request, session: SessionDep, renderer: RendererDep, admin: AdminPageDep,
          user_id: int) -> HTMLResponse:
    """Block an account and end all its sessions and tokens at once (not one's own)."""
    user = session.get(UserAccount, user_id)
    if user is None or user.id == admin.user_id:
        raise HTTPException(status_code=404, detail=gettext("This account does not exist."))
    deactivate(session, user)
    audit.record(session, admin.user, "account_blocked", target=f"user:{user_id}",
                 address=client_address(request))
    session.commit()
    return _users_page(request, session, renderer)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, session: SessionDep, renderer: RendererDep,
               _admin: AdminPageDep) -> HTMLResponse:
    """The newest audit events."""
    return renderer.render(request, "account/admin_audit.html", {
        "events": audit_events(session), "csrf": request.state.csrf_token, "chosen": {}},
        page="admin")


@router.post("/audit", response_class=HTMLResponse, dependencies=[CSRF_CHECKED])
def filter_audit(request: Request, session: SessionDep, renderer: RendererDep,
                 _admin: AdminPageDep, actor: Field = "", action: Field = "",
                 region: Field = "") -> HTMLResponse:
    """Events filtered by actor, action and region (sent in the body: e-mails stay out of
    URLs)."""
    chosen = {"actor": actor, "action": action, "region": region}
    events = audit_events(session, actor=actor or None, action=action or None,
                          region=region or None)
    return renderer.render(request, "account/admin_audit.html", {
        "events": events, "csrf": request.state.csrf_token, "chosen": chosen}, page="admin")
