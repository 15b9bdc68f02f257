"""Pages for signing in and out, choosing a password and a member's own space."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlmodel import select

from campagne.api.bounds import Version
from campagne.api.deps import InstanceDep, SessionDep
from campagne.api.me import own_record
from campagne.api.member_schemas import SelfUpdate
from campagne.api.security import client_address
from campagne.auth import audit, ratelimit, signin, tokens
from campagne.auth.accounts import AccountError, find_account, normalise_email, set_password
from campagne.auth.models import AuditEvent, CredentialKind, Role
from campagne.auth.signin import SignInRefused, refusal_text
from campagne.gdpr import (
    VersionConflict,
    apply_update,
    consents_of,
    export_member,
    member_out,
    withdraw_consent,
)
from campagne.i18n import gettext
from campagne.mail import link_url
from campagne.outbox.queue import queue_mail
from campagne.web.labels import CONSENT_PURPOSES
from campagne.web.pages import RendererDep
from campagne.web.sessions import (
    CSRF_CHECKED,
    PRE_CSRF,
    SIGNED_IN_PAGE,
    PagePrincipalDep,
    end_session,
    pre_session_token,
    set_cookie,
    start_session,
)

public = APIRouter(prefix="/account", include_in_schema=False)
router = APIRouter(prefix="/account", include_in_schema=False, dependencies=[SIGNED_IN_PAGE])
Text = Annotated[str, Form(max_length=200)]


def _form(request: Request, renderer: RendererDep, template: str, context: dict[str, Any],
          status: int = 200) -> HTMLResponse:
    """A form shown before sign-in, with its double-submit CSRF token."""
    token = pre_session_token(request)
    response = renderer.render(request, template, {**context, "csrf": token},
                               status_code=status)
    set_cookie(request, response, PRE_CSRF, token)
    return response


@public.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, renderer: RendererDep) -> HTMLResponse:
    """The sign-in form."""
    return _form(request, renderer, "account/sign_in.html", {"error": None})


@public.post("/sign-in", dependencies=[CSRF_CHECKED])
def sign_in(request: Request, instance: InstanceDep, session: SessionDep,
            renderer: RendererDep, email: Text, password: Text) -> Response:
    """Check the password; on success open a new session and go to the account page."""
    try:
        user = signin.sign_in(session, instance.settings, email, password,
                              client_address(request), "pages")
    except SignInRefused as refused:
        refusal = _form(request, renderer, "account/sign_in.html", {
            "error": refusal_text(refused)}, status=refused.status)
        refusal.headers["Retry-After"] = str(refused.retry_after)
        return refusal
    if user is None:
        return _form(request, renderer, "account/sign_in.html", {
            "error": gettext("Wrong e-mail address or password.")}, status=401)
    response = RedirectResponse("/account/", status_code=303)
    start_session(request, response, session, instance.settings, user)
    return response


@router.post("/sign-out", dependencies=[CSRF_CHECKED])
def sign_out(request: Request, instance: InstanceDep, session: SessionDep) -> Response:
    """End the session on the server and in the browser."""
    response = RedirectResponse("/", status_code=303)
    end_session(request, response, session, instance.settings)
    response.headers["Clear-Site-Data"] = '"cache", "storage"'  # personal pages seen before
    return response


@public.get("/set-password", response_class=HTMLResponse)
def set_password_form(request: Request, renderer: RendererDep) -> HTMLResponse:
    """The form an invitation or reset link opens (the token travels in a hidden field)."""
    link = request.query_params.get("token", "")
    return _form(request, renderer, "account/set_password.html", {"token": link, "error": None})


@public.post("/set-password", dependencies=[CSRF_CHECKED])
def choose_password(request: Request, instance: InstanceDep, session: SessionDep,
                    renderer: RendererDep, token: Text, password: Text) -> Response:
    """Set the password of the account the link was made for; the link is used up."""
    found = None
    for kind in (CredentialKind.INVITE, CredentialKind.RESET):
        found = found or tokens.resolve(session, instance.settings, token, kind)
    if found is None:
        return _form(request, renderer, "account/set_password.html", {
            "token": "", "error": gettext("This link is no longer valid.")}, status=400)
    try:
        set_password(session, instance.settings, found[1], password)
    except AccountError:
        return _form(request, renderer, "account/set_password.html", {
            "token": token, "error": gettext("Choose a password of 12 to 128 characters.")},
            status=400)
    audit.record(session, found[1], "password_set", address=client_address(request))
    session.commit()
    return RedirectResponse("/account/sign-in", status_code=303)


@public.get("/reset", response_class=HTMLResponse)
def reset_form(request: Request, renderer: RendererDep, sent: str = "") -> HTMLResponse:
    """Ask for a password reset link (``sent=1``: says that one is on its way, if the
    account exists)."""
    return _form(request, renderer, "account/reset.html", {"sent": sent == "1"})


@public.post("/reset", dependencies=[CSRF_CHECKED])
def send_reset(request: Request, instance: InstanceDep, session: SessionDep,
               email: Text) -> Response:
    """E-mail a reset link if the account exists, then say so on the form's page; the
    answer is the same either way, and whatever the mail server does: the link waits in the
    outbox, written with its token, and ``campagne worker`` sends it. A few links per
    address and per window at most, so the form cannot flood a mailbox."""
    user = find_account(session, email)
    allowed = all(ratelimit.take(session, instance.settings, key) for key in (
        f"reset:{normalise_email(email)}", f"reset-from:{client_address(request)}"))
    if user is not None and user.active and allowed:
        issued = tokens.issue(session, instance.settings, user, CredentialKind.RESET)
        queue_mail(session, instance.settings, kind="password_reset", to=user.email,
                   subject=gettext("Campagne: choose a new password"),
                   body=gettext("Open this link to choose a new password:") + "\n\n"
                   + link_url(instance.settings, issued.secret) + "\n")
    session.commit()
    return RedirectResponse("/account/reset?sent=1", status_code=303)


@router.get("/", response_class=HTMLResponse)
def account_home(request: Request, session: SessionDep, renderer: RendererDep,
                 principal: PagePrincipalDep) -> HTMLResponse:
    """A member's own record; staff and administrators see where they can work."""
    context: dict[str, Any] = {
        "principal": principal, "record": None, "csrf": request.state.csrf_token,
        "consents": [], "purposes": CONSENT_PURPOSES, "panels": [],
        "saved": request.query_params.get("saved") == "1",
        "booked": request.query_params.get("booked") == "1"}
    if principal.role is Role.MEMBER and principal.user.member_id is not None:
        member, slug = own_record(session, principal)
        context.update(record=member_out(member, slug), consents=consents_of(session, member))
        region = request.app.state.instance.region(slug)
        if region is not None:  # the features' and plug-ins' parts (hook page_panels)
            context["panels"] = renderer.panels(request, "account", region, session,
                                                principal.user.member_id, context)
    return renderer.render(request, "account/home.html", context)


@router.get("/export")
def export(request: Request, session: SessionDep, principal: PagePrincipalDep) -> Response:
    """Download one's own data as JSON (members only)."""
    if principal.role is not Role.MEMBER:
        return RedirectResponse("/account/", status_code=303)
    member, slug = own_record(session, principal)
    data = export_member(session, member, slug, principal.user,
                         request.app.state.instance)
    audit.record(session, principal.user, "export", region_slug=slug,
                 target=f"member:{member.id}", address=client_address(request))
    session.commit()
    return JSONResponse(data, headers={
        "Content-Disposition": 'attachment; filename="my-data.json"'})


@router.post("/edit", dependencies=[CSRF_CHECKED])
def correct(request: Request, session: SessionDep, principal: PagePrincipalDep,
            version: Annotated[Version, Form()], phone: Annotated[str, Form(max_length=40)] = "",
            commune: Annotated[str, Form(max_length=120)] = "") -> Response:
    """Correct one's phone number and commune."""
    if principal.role is not Role.MEMBER:
        return RedirectResponse("/account/", status_code=303)
    member, slug = own_record(session, principal)
    try:
        fields = apply_update(session, member, SelfUpdate(
            version=version, phone=phone or None, commune=commune or None))
    except VersionConflict:
        return RedirectResponse("/account/?saved=0", status_code=303)
    audit.record(session, principal.user, "update", region_slug=slug,
                 target=f"member:{member.id}", address=client_address(request), fields=fields)
    session.commit()
    return RedirectResponse("/account/?saved=1", status_code=303)


@router.post("/erasure", dependencies=[CSRF_CHECKED])
def ask_erasure(request: Request, session: SessionDep, principal: PagePrincipalDep
                ) -> Response:
    """Record an erasure request for the region's staff; then on to its confirmation."""
    if principal.role is Role.MEMBER:
        member, slug = own_record(session, principal)
        audit.record(session, principal.user, "erasure_requested", region_slug=slug,
                     target=f"member:{member.id}", address=client_address(request))
        session.commit()
    return RedirectResponse("/account/erasure", status_code=303)


@router.get("/erasure", response_class=HTMLResponse)
def erasure_status(request: Request, session: SessionDep, principal: PagePrincipalDep,
                   renderer: RendererDep) -> HTMLResponse:
    """Whether one's erasure request is recorded (the audit trail keeps it)."""
    recorded = principal.role is Role.MEMBER and session.exec(
        select(AuditEvent.id).where(
            AuditEvent.action == "erasure_requested",
            AuditEvent.actor_id == principal.user_id)).first() is not None
    return renderer.render(request, "account/erasure.html", {"recorded": recorded})


@router.post("/consents/withdraw", dependencies=[CSRF_CHECKED])
def withdraw(request: Request, session: SessionDep, principal: PagePrincipalDep,
             purpose: Annotated[str, Form(max_length=40)]) -> Response:
    """Withdraw one of one's consents (as easily as it was given)."""
    if principal.role is Role.MEMBER:
        member, slug = own_record(session, principal)
        withdraw_consent(session, member, purpose)
        audit.record(session, principal.user, "consent_withdrawn", region_slug=slug,
                     target=f"member:{member.id}", address=client_address(request),
                     purpose=purpose)
        session.commit()
    return RedirectResponse("/account/", status_code=303)
