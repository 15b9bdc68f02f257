"""The example plug-in's own table: the relocation bonuses granted, one row per member
who settled in a region where the plug-in runs."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field

from campagne.toolkit import RegionScoped


class BonusClaim(RegionScoped, table=True):
    """A relocation bonus granted to a member (who is named by id only)."""

    __tablename__ = "example_incentive_claim"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(index=True)
    amount_eur: float
    granted_on: dt.date
