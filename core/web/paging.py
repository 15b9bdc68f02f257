"""Page numbers of the staff lists: which page is shown, how many there are, and the numbers
to offer (the first, the last and those around the current one)."""

from __future__ import annotations

from dataclasses import dataclass

AROUND = 2  # page numbers offered on each side of the current one


@dataclass(frozen=True)
class Pager:
    """One page of ``total`` items, ``per_page`` a page (``page`` counts from 1)."""

    page: int
    per_page: int
    total: int

    @property
    def last(self) -> int:
        """The number of the last page (1 for an empty list)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def first_item(self) -> int:
        """The rank of the page's first item (0 when there is none)."""
        return min((self.page - 1) * self.per_page + 1, self.total + 1) if self.total else 0

    @property
    def last_item(self) -> int:
        """The rank of the page's last item."""
        return min(self.page * self.per_page, self.total)

    @property
    def numbers(self) -> list[int | None]:
        """The page numbers to offer, in order; ``None`` stands for the ones left out."""
        shown = sorted({1, self.last, *range(max(1, self.page - AROUND),
                                             min(self.last, self.page + AROUND) + 1)})
        numbers: list[int | None] = []
        for number in shown:
            if numbers and number - (numbers[-1] or 0) > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers
