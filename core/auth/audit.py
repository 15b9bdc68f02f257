"""The audit trail: every staff read of a personal record, every change and every export.
Rows are only ever inserted; no route updates or deletes them."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from campagne.auth.models import AuditEvent, UserAccount


def record(session: Session, actor: UserAccount | None, action: str, *,
           region_slug: str | None = None, target: str | None = None,
           address: str | None = None, **detail: Any) -> None:
    """Add one event (the caller commits with the change it describes)."""
    session.add(AuditEvent(
        actor_id=actor.id if actor else None, actor_email=actor.email if actor else None,
        action=action, region_slug=region_slug, target=target, address=address,
        detail=detail))
