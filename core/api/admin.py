"""``/api/v1/admin``: the audit trail, for administrators; read-only by design."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlmodel import Session, col, select

from campagne.api.deps import SessionDep
from campagne.api.security import SIGNED_IN, AdminDep
from campagne.auth.models import AuditEvent

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], dependencies=[SIGNED_IN])


class AuditOut(BaseModel):
    """One audit event."""

    at: dt.datetime
    actor: str | None
    action: str
    region: str | None
    target: str | None
    address: str | None


def audit_events(session: Session, *, actor: str | None = None, action: str | None = None,
                 region: str | None = None, since: dt.datetime | None = None,
                 limit: int = 200) -> list[AuditOut]:
    """The newest events matching the filters."""
    query = select(AuditEvent)
    if actor:
        query = query.where(AuditEvent.actor_email == actor.lower())
    if action:
        query = query.where(AuditEvent.action == action)
    if region:
        query = query.where(AuditEvent.region_slug == region)
    if since:
        query = query.where(col(AuditEvent.at) >= since)
    rows = session.exec(query.order_by(col(AuditEvent.id).desc()).limit(limit)).all()
    return [AuditOut(at=row.at, actor=row.actor_email, action=row.action,
                     region=row.region_slug, target=row.target, address=row.address)
            for row in rows]


@router.get("/audit", summary="The audit trail, newest first")
def list_audit(session: SessionDep, _admin: AdminDep,
               action: Annotated[str | None, Query(max_length=40)] = None,
               region: Annotated[str | None, Query(max_length=40)] = None,
               since: dt.datetime | None = None,
               limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[AuditOut]:
    """Filter by action, region and date (actor filtering: on the admin page, by form)."""
    return audit_events(session, action=action, region=region, since=since, limit=limit)
