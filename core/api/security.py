"""Access control for the API: bearer tokens, roles and region scopes.

Every protected router is declared with ``dependencies=[SIGNED_IN]``; the authorization
matrix test finds protected routes by that marker, so a route is either public by design
or carries it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from campagne.api.deps import InstanceDep, RegionDep, SessionDep
from campagne.auth import audit, tokens
from campagne.auth.access import Principal, principal_for
from campagne.auth.models import CredentialKind, Role
from campagne.regions import RegionFolder

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
UNAUTHORIZED = HTTPException(status_code=401, detail="Not authenticated",
                             headers={"WWW-Authenticate": "Bearer"})
FORBIDDEN = HTTPException(status_code=403, detail="Forbidden")


def api_principal(request: Request, instance: InstanceDep, session: SessionDep,
                  token: Annotated[str | None, Depends(oauth2_scheme)]) -> Principal:
    """The account behind the bearer token, or 401."""
    if not token:
        raise UNAUTHORIZED
    found = tokens.resolve(session, instance.settings, token, CredentialKind.API)
    if found is None:
        raise UNAUTHORIZED
    principal = principal_for(session, found[1])
    request.state.principal = principal
    request.state.private = True
    request.state.credential_id = found[0].id
    return principal


SIGNED_IN = Depends(api_principal)
PrincipalDep = Annotated[Principal, SIGNED_IN]


def optional_principal(request: Request, instance: InstanceDep, session: SessionDep,
                       token: Annotated[str | None, Depends(oauth2_scheme)]) -> Principal | None:
    """The account behind a bearer token if one is sent (401 if it is not valid): for
    routes open to everyone that answer a signed-in caller more."""
    if not token:
        return None
    found = tokens.resolve(session, instance.settings, token, CredentialKind.API)
    if found is None:
        raise UNAUTHORIZED
    request.state.private = True
    return principal_for(session, found[1])


MaybePrincipalDep = Annotated[Principal | None, Depends(optional_principal)]


def deny(session: Session, request: Request, principal: Principal,
         region_slug: str | None = None) -> HTTPException:
    """Record a refused access in the audit trail; return the 403 to raise."""
    audit.record(session, principal.user, "forbidden", region_slug=region_slug,
                 target=f"{request.method} {request.url.path}"[:80],
                 address=client_address(request))
    session.commit()
    return FORBIDDEN


def region_reader(request: Request, session: SessionDep, principal: PrincipalDep,
                  region: RegionDep) -> RegionFolder:
    """The region in the path, if the caller is its staff or an administrator."""
    if not principal.can_read_region(region.slug):
        raise deny(session, request, principal, region.slug)
    return region


def region_writer(request: Request, session: SessionDep, principal: PrincipalDep,
                  region: RegionDep) -> RegionFolder:
    """The region in the path, if the caller may change its records."""
    if not principal.can_write_region(region.slug):
        raise deny(session, request, principal, region.slug)
    return region


def member_principal(request: Request, session: SessionDep,
                     principal: PrincipalDep) -> Principal:
    """The caller, if a member account."""
    if principal.role is not Role.MEMBER or principal.user.member_id is None:
        raise deny(session, request, principal)
    return principal


def admin_principal(request: Request, session: SessionDep,
                    principal: PrincipalDep) -> Principal:
    """The caller, if an administrator."""
    if principal.role is not Role.ADMIN:
        raise deny(session, request, principal)
    return principal


ReaderRegionDep = Annotated[RegionFolder, Depends(region_reader)]
WriterRegionDep = Annotated[RegionFolder, Depends(region_writer)]
MemberDep = Annotated[Principal, Depends(member_principal)]
AdminDep = Annotated[Principal, Depends(admin_principal)]


def client_address(request: Request) -> str | None:
    """The caller's address (uvicorn resolves trusted proxy headers)."""
    return request.client.host if request.client else None
