"""``/api/v1/auth``: OAuth2 password flow for bearer tokens, and their revocation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from campagne.api.deps import InstanceDep, SessionDep
from campagne.api.member_schemas import TokenOut
from campagne.api.security import SIGNED_IN, client_address
from campagne.auth import tokens
from campagne.auth.models import Credential, CredentialKind
from campagne.auth.signin import SignInRefused, refusal_text, sign_in

BUSY = "Too many sign-ins at once; retry in a moment"
router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
protected = APIRouter(prefix="/api/v1/auth", tags=["auth"], dependencies=[SIGNED_IN])


@router.post("/token", summary="Get a bearer token (OAuth2 password flow)",
             responses={401: {"description": "Wrong e-mail address or password"},
                        429: {"description": "Too many failed sign-ins; the detail says "
                                             "for how long (Retry-After)"}})
def issue_token(request: Request, response: Response, instance: InstanceDep,
                session: SessionDep,
                form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> TokenOut:
    """Exchange ``username`` (the e-mail address) and ``password`` for a bearer token."""
    response.headers["Cache-Control"] = "no-store"
    try:
        user = sign_in(session, instance.settings, form.username, form.password,
                       client_address(request), "api")
    except SignInRefused as refused:
        detail = refusal_text(refused) if refused.status == 429 else BUSY
        raise HTTPException(status_code=refused.status, detail=detail,
                            headers={"Retry-After": str(refused.retry_after)}) from None
    if user is None:
        raise HTTPException(status_code=401, detail="Wrong e-mail address or password",
                            headers={"WWW-Authenticate": "Bearer"})
    issued = tokens.issue(session, instance.settings, user, CredentialKind.API)
    session.commit()
    return TokenOut(access_token=issued.secret,
                    expires_in=instance.settings.api_token_hours * 3600)


@protected.post("/revoke", status_code=204, summary="Revoke the token used for this call")
def revoke_token(request: Request, session: SessionDep) -> Response:
    """End the bearer token at once (sign-out for API clients)."""
    credential = session.get(Credential, request.state.credential_id)
    if credential is not None:
        tokens.revoke(session, credential)
    return Response(status_code=204)
