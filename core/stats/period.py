"""The period statistics cover (its own module: plug-ins receive it in a hook)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    """Whole calendar days, both included; ``start`` ``None`` means since the first record."""

    start: dt.date | None
    end: dt.date

    @classmethod
    def years(cls, first: int | None, last: int | None, today: dt.date | None = None) -> Period:
        """From 1 January of ``first`` to 31 December of ``last`` (today when not given)."""
        today = today or dt.date.today()
        end = dt.date(last, 12, 31) if last is not None else today
        return cls(start=dt.date(first, 1, 1) if first is not None else None, end=min(end, today))

    def contains(self, day: dt.date) -> bool:
        """True when ``day`` falls in the period."""
        return (self.start is None or day >= self.start) and day <= self.end
