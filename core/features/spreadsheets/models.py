"""The one table of spreadsheets: a file uploaded on the import page, kept only between the
upload and the confirmation (or for :data:`~.uploads.LIFETIME` at most)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import LargeBinary
from sqlmodel import Field, SQLModel

from campagne.models import utc_now


class SheetUpload(SQLModel, table=True):
    """An uploaded spreadsheet waiting for its mapping to be confirmed. Personal data: the
    row is deleted when the import is confirmed or cancelled, or when it expires."""

    __tablename__ = "sheet_upload"

    id: int | None = Field(default=None, primary_key=True)
    token_digest: str = Field(max_length=64, unique=True, index=True,
                              description="SHA-256 of the random token the form carries")
    user_id: int = Field(foreign_key="user_account.id", index=True)
    session_id: int | None = Field(default=None, description="The page session it belongs to")
    region_slug: str = Field(max_length=40)
    kind: str = Field(max_length=20, description="members or inquiries")
    filename: str = Field(max_length=200)
    sheet_name: str | None = Field(default=None, max_length=100)
    content: bytes = Field(sa_type=LargeBinary)
    created_at: dt.datetime = Field(default_factory=utc_now)
    expires_at: dt.datetime = Field(index=True)
