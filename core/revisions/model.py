"""The ``data_revision`` table: one counter per region, and scope 0 for changes that may
concern every region (a bulk statement whose region is not known)."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

#: The scope of changes whose region is not known: it counts in every region's revision.
ALL_REGIONS = 0


class DataRevision(SQLModel, table=True):
    """How many committed transactions changed a region's records (``scope`` is the
    region's id, or :data:`ALL_REGIONS`)."""

    __tablename__ = "data_revision"

    scope: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    revision: int = Field(default=0, sa_type=BigInteger)
