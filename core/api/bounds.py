"""Bounds of the whole numbers a request may carry.

Every id, version and counter is kept in an ``integer`` column (32 bits on PostgreSQL), so a
larger number can match nothing; refused with 422 before any query, it never reaches the
database (where PostgreSQL and SQLite would fail on it)."""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval

INT_MAX = 2**31 - 1
INT_MIN = -(2**31)
# A page number: with at most 200 rows a page, its offset stays within an ``integer`` too.
MAX_PAGE = 1_000_000

Id = Annotated[int, Interval(ge=1, le=INT_MAX)]
"""The id of a row (a path parameter, a query parameter, a field of a body or a form)."""
Version = Annotated[int, Interval(ge=0, le=INT_MAX)]
"""The version of a record as last read (optimistic locking)."""
Page = Annotated[int, Interval(ge=1, le=MAX_PAGE)]
"""The number of a page of a list, from 1."""


def parse_id(text: str) -> int | None:
    """The id written in a form's text box, or ``None`` when it is not one: ASCII digits
    only (``int()`` would take other scripts' digits, and fail on ``²``), within the
    columns' range."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 1 <= number <= INT_MAX else None
