"""Page sessions: a random session id in an HttpOnly, SameSite cookie (``__Host-`` prefixed
and Secure over HTTPS), the session itself in the database with its CSRF token, an
inactivity timeout and an absolute lifetime.

Forms shown before sign-in (sign-in, password links) use a double-submit CSRF cookie."""

from __future__ import annotations

import hmac
import logging
import secrets
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request, Response
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from campagne.api.deps import InstanceDep, SessionDep
from campagne.auth import tokens
from campagne.auth.access import Principal, principal_for
from campagne.auth.models import Credential, CredentialKind, UserAccount
from campagne.instance import Instance
from campagne.settings import CampagneSettings

log = logging.getLogger(__name__)

SESSION = "campagne_session"
PRE_CSRF = "campagne_csrf"


def secure_request(request: Request) -> bool:
    """True when the request came over HTTPS (uvicorn honours trusted proxy headers)."""
    return request.scope.get("scheme") == "https"  # what request.url.scheme says, unbuilt


def cookie_name(request: Request, base: str) -> str:
    """``__Host-`` prefixed names over HTTPS (the browser then insists on Secure, Path=/
    and no Domain); plain names on a local plain-HTTP demo."""
    return f"__Host-{base}" if secure_request(request) else base


def set_cookie(request: Request, response: Response, base: str, value: str,
               max_age: int | None = None) -> None:
    """Set one of our cookies with the strict flags."""
    response.set_cookie(cookie_name(request, base), value, max_age=max_age, path="/",
                        secure=secure_request(request), httponly=True, samesite="lax")


def start_session(request: Request, response: Response, session: SessionDep,
                  settings: CampagneSettings, user: UserAccount) -> None:
    """A brand-new session at sign-in (never reuse an id the browser brought)."""
    old = request.cookies.get(cookie_name(request, SESSION))
    if old:
        found = tokens.resolve(session, settings, old, CredentialKind.SESSION)
        if found:
            tokens.revoke(session, found[0])
    issued = tokens.issue(session, settings, user, CredentialKind.SESSION)
    session.commit()
    set_cookie(request, response, SESSION, issued.secret)


def end_session(request: Request, response: Response, session: SessionDep,
                settings: CampagneSettings) -> None:
    """Revoke the session on the server and clear the cookie."""
    secret = request.cookies.get(cookie_name(request, SESSION))
    if secret:
        found = tokens.resolve(session, settings, secret, CredentialKind.SESSION)
        if found:
            tokens.revoke(session, found[0])
    response.delete_cookie(cookie_name(request, SESSION), path="/",
                           secure=secure_request(request), httponly=True, samesite="lax")


def optional_principal(request: Request, instance: InstanceDep,
                       session: SessionDep) -> Principal | None:
    """The signed-in account of the page request, if any."""
    found = _signed_in(request, instance, session)
    return principal_for(session, found) if found is not None else None


def _signed_in(request: Request, instance: Instance, session: Session) -> UserAccount | None:
    """The account of the request's session cookie, noted on ``request.state`` (the layout
    then shows "My account" and the sign-out form; the answer is not to be stored)."""
    secret = request.cookies.get(cookie_name(request, SESSION))
    if not secret:
        return None
    request.state.session_looked_up = True  # once per request, found or not
    found = tokens.resolve(session, instance.settings, secret, CredentialKind.SESSION)
    if found is None:
        return None
    request.state.private = True
    request.state.csrf_token = found[0].csrf_token
    request.state.session_credential = found[0].id
    request.state.user_id = found[1].id
    return found[1]


def session_csrf(request: Request) -> str | None:
    """The CSRF token of the request's session once it has been looked up (``None`` for a
    visitor who is not signed in), read from the ASGI state without raising."""
    token: str | None = request.scope.get("state", {}).get("csrf_token")
    return token


def wants_recognition(request: Request) -> bool:
    """True when a public page should look up the request's session: it brings a session
    cookie and no dependency of the page has looked it up yet (found or not)."""
    return (cookie_name(request, SESSION) in request.cookies
            and not request.scope.get("state", {}).get("session_looked_up"))


def recognise_visitor(request: Request, instance: Instance) -> None:
    """On a public page, note the signed-in account of the request, if any, for the shared
    layout. A database that does not answer leaves the visitor signed out on this page
    rather than failing it. Blocking: call it from a worker thread on the event loop."""
    if not wants_recognition(request):
        return
    try:
        with Session(instance.engine) as session:
            _signed_in(request, instance, session)
    except SQLAlchemyError as error:
        log.warning("session not looked up for %s: %s", request.url.path,
                    type(error).__name__)


MaybePrincipalDep = Annotated[Principal | None, Depends(optional_principal)]


def page_principal(principal: MaybePrincipalDep) -> Principal:
    """The signed-in account, or 401 (the error handler sends pages to the sign-in form)."""
    if principal is None:
        raise HTTPException(status_code=401, detail="Sign in first")
    return principal


SIGNED_IN_PAGE = Depends(page_principal)
PagePrincipalDep = Annotated[Principal, SIGNED_IN_PAGE]


def check_csrf(request: Request, csrf: Annotated[str, Form(max_length=100)] = "") -> None:
    """Reject a form whose token does not match the session's (or the pre-session cookie)."""
    expected = getattr(request.state, "csrf_token", None) or request.cookies.get(
        cookie_name(request, PRE_CSRF))
    # Bytes: compare_digest refuses str holding anything but ASCII (a forged token may).
    if not expected or not hmac.compare_digest(expected.encode(errors="replace"),
                                               csrf.encode(errors="replace")):
        raise HTTPException(status_code=403, detail="Invalid form token")


CSRF_CHECKED = Depends(check_csrf)


def pre_session_token(request: Request) -> str:
    """The double-submit token for forms shown before sign-in (the browser's, or new)."""
    return request.cookies.get(cookie_name(request, PRE_CSRF)) or secrets.token_urlsafe(32)


def revoke_session_credential(session: SessionDep, request: Request) -> None:
    """Revoke the session found for this request (used by sign-out)."""
    credential_id = getattr(request.state, "session_credential", None)
    credential = session.get(Credential, credential_id) if credential_id else None
    if credential is not None:
        tokens.revoke(session, credential)
