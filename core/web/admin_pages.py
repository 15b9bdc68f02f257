"""Administrator pages: accounts and the audit trail (read-only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select

from campagne.api.admin import audit_events
from campagne.api.bounds import Id, parse_id
from campagne.api.deps import InstanceDep, SessionDep
from campagne.api.security import client_address, deny
from campagne.auth import audit, tokens
from campagne.auth.access import Principal
from campagne.auth.accounts import (
    AccountError,
    change_access,
    create_account,
    deactivate,
    reactivate,
    rename,
)
from campagne.auth.models import CredentialKind, Role, UserAccount, UserRegion
from campagne.i18n import gettext
from campagne.i18n_markers import N_
from campagne.mail import link_url
from campagne.models import Region
from campagne.web.confirm import ConfirmField, Question, ask, confirmed
from campagne.web.pages import RendererDep
from campagne.web.sessions import CSRF_CHECKED, SIGNED_IN_PAGE, PagePrincipalDep

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[SIGNED_IN_PAGE])
Field = Annotated[str, Form(max_length=200)]
MaybeName = Annotated[str | None, Form(max_length=200)]  # absent: the name stays


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
    scopes: dict[int, set[str]] = {}
    for user_id, slug in session.exec(
            select(UserRegion.user_id, Region.slug)
            .join(Region, col(Region.id) == col(UserRegion.region_id))):
        scopes.setdefault(user_id, set()).add(slug)
    return renderer.render(request, "account/admin_users.html", {
        "users": users, "scopes": scopes, "roles": [r.value for r in Role],
        "csrf": request.state.csrf_token,
        "me": getattr(request.state, "user_id", None), "link": None, "error": None,
        "notice": None, **extra},
        page="admin")


#: What the users page says after a change (``?notice=``): each change posts, then comes
#: back here (docs/decisions/0033-confirmation-pages.md).
NOTICES = {"blocked": N_("The account is blocked; its sessions were ended."),
           "reactivated": N_("The account is unblocked."),
           "access": N_("Access changed; the account's sessions were ended."),
           "renamed": N_("The name is saved."), "unchanged": N_("Nothing was changed.")}


def _done(notice: str) -> RedirectResponse:
    return RedirectResponse(f"/admin/users?notice={notice}", status_code=303)


@router.get("/users", response_class=HTMLResponse)
def users(request: Request, session: SessionDep, renderer: RendererDep,
          _admin: AdminPageDep) -> HTMLResponse:
    """Every account, and a form to invite a new one (with what the last change did)."""
    notice = NOTICES.get(request.query_params.get("notice", ""))
    return _users_page(request, session, renderer,
                       notice=gettext(notice) if notice else None)


@router.post("/users", response_class=HTMLResponse, dependencies=[CSRF_CHECKED])
def invite(request: Request, instance: InstanceDep, session: SessionDep,
           renderer: RendererDep, admin: AdminPageDep, email: Field, role: Field,
           region: Field = "", read_only: Field = "", member: Field = "",
           name: Field = "") -> HTMLResponse:
    """Create an account without password and show its invitation link."""
    try:
        user = create_account(
            session, instance.settings, email=email, role=Role(role),
            regions=[region] if region else [], read_only=bool(read_only),
            member_id=parse_id(member), name=name)
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
          user_id: Id, confirm: ConfirmField = "") -> Response:
    """Block an account and end all its sessions and tokens at once (not one's own); first,
    a page asks for confirmation."""
    user = session.get(UserAccount, user_id)
    if user is None or user.id == admin.user_id:
        raise HTTPException(status_code=404, detail=gettext("This account does not exist."))
    if not confirmed(confirm):
        return ask(request, renderer, Question(
            title=gettext("Block %(account)s?") % {"account": user.shown_name},
            consequence=gettext("The account can no longer sign in and its sessions end at "
                                "once. You may unblock it later."),
            button=gettext("Block and sign out"), back="/admin/users"), page="admin")
    deactivate(session, user)
    audit.record(session, admin.user, "account_blocked", target=f"user:{user_id}",
                 address=client_address(request))
    session.commit()
    return _done("blocked")


@router.post("/users/{user_id}/access", response_class=HTMLResponse,
             dependencies=[CSRF_CHECKED])
def set_access(request: Request, session: SessionDep, renderer: RendererDep,
               admin: AdminPageDep, user_id: Id, role: Field = "",
               region: Annotated[list[str] | None, Form(max_length=40)] = None,
               read_only: Field = "", name: MaybeName = None) -> Response:
    """Change the name shown, the role, regions and read-only flag of a staff or
    administrator account (not one's own); when its access changes, its sessions end so
    that the new rights apply at once."""
    user = session.get(UserAccount, user_id)
    if user is None or user.id == admin.user_id or user.role == Role.MEMBER.value:
        raise HTTPException(status_code=404, detail=gettext("This account does not exist."))
    if role not in (Role.STAFF.value, Role.ADMIN.value):
        return _users_page(request, session, renderer,
                           error=gettext("Choose staff or administrator."))
    try:
        renamed = name is not None and rename(session, user, name)
        changed = change_access(session, user, role=Role(role), regions=region or [],
                                read_only=bool(read_only))
    except AccountError as exc:
        session.rollback()
        return _users_page(request, session, renderer, error=str(exc))
    if renamed:
        audit.record(session, admin.user, "account_renamed", target=f"user:{user_id}",
                     address=client_address(request))
    if changed:
        audit.record(session, admin.user, "account_access_changed", target=f"user:{user_id}",
                     address=client_address(request), changes=changed)
    session.commit()
    return _done("access" if changed else "renamed" if renamed else "unchanged")


@router.post("/users/{user_id}/reactivate", response_class=HTMLResponse,
             dependencies=[CSRF_CHECKED])
def unblock(request: Request, session: SessionDep, renderer: RendererDep, admin: AdminPageDep,
            user_id: Id) -> Response:
    """Unblock an account; it signs in again with its password or a reset link."""
    user = session.get(UserAccount, user_id)
    if user is None or user.id == admin.user_id:
        raise HTTPException(status_code=404, detail=gettext("This account does not exist."))
    reactivate(session, user)
    audit.record(session, admin.user, "account_reactivated", target=f"user:{user_id}",
                 address=client_address(request))
    session.commit()
    return _done("reactivated")


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
