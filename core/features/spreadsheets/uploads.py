"""The file uploaded on the import page, kept in the database (so that any worker or host
can serve the next step) only between the upload and the confirmation.

The form carries a random token; only its SHA-256 digest is stored, with the account and the
page session it belongs to. The row is deleted when the import is written or cancelled, and
every expired row is deleted whenever the import page is used."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete
from sqlmodel import Session, col, select

from campagne.features.spreadsheets.models import SheetUpload
from campagne.models import utc_now

LIFETIME = dt.timedelta(minutes=30)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def keep(session: Session, *, user_id: int, session_id: int | None, region_slug: str,
         kind: str, filename: str, sheet_name: str | None, content: bytes) -> str:
    """Store an uploaded file; return the token that names it (the caller commits)."""
    token = secrets.token_urlsafe(32)
    session.add(SheetUpload(token_digest=_digest(token), user_id=user_id, session_id=session_id,
                            region_slug=region_slug, kind=kind, filename=filename[:200],
                            sheet_name=sheet_name, content=content,
                            expires_at=utc_now() + LIFETIME))
    return token


def find(session: Session, token: str, *, user_id: int, session_id: int | None,
         region_slug: str) -> SheetUpload | None:
    """The upload named by ``token``, if it belongs to this account, page session and
    region and has not expired."""
    if not token or len(token) > 100:
        return None
    upload = session.exec(select(SheetUpload).where(
        SheetUpload.token_digest == _digest(token))).first()
    if upload is None or upload.user_id != user_id or upload.session_id != session_id \
            or upload.region_slug != region_slug or upload.expires_at <= utc_now():
        return None
    return upload


def discard(session: Session, upload: SheetUpload) -> None:
    """Delete an upload (the caller commits)."""
    session.delete(upload)


def sweep(session: Session, region_slug: str | None = None) -> int:
    """Delete every expired upload (of ``region_slug``, or of every region); return how many
    (the caller commits)."""
    statement = delete(SheetUpload).where(col(SheetUpload.expires_at) <= utc_now())
    if region_slug is not None:
        statement = statement.where(col(SheetUpload.region_slug) == region_slug)
    result = session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)
