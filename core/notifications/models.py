"""The table of the notifications people switched off."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from campagne.models import utc_now


class NotificationOptOut(SQLModel, table=True):
    """A kind of notification an account does not want (every optional kind is sent
    unless switched off here)."""

    __tablename__ = "notification_opt_out"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    kind: str = Field(max_length=40, primary_key=True,
                      description="The key of a NotificationKind")
    created_at: dt.datetime = Field(default_factory=utc_now)
