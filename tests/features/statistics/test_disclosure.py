"""Disclosure control: no published count concerns fewer people than the threshold, and
no suppressed cell can be recovered from the published ones (totals, differences)."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from campagne.stats.disclosure import (
    DEFAULT_THRESHOLD,
    SOURCE,
    protect_count,
    protect_table,
)
from campagne.stats.schema import Table

T = DEFAULT_THRESHOLD


def assert_safe(table: Table, threshold: int, *, derivable_total: int | None = None) -> None:
    """Try to recover suppressed cells: from the table's total (or a total published
    elsewhere), the suppressed cells sum to ``total - published``; one suppressed cell, or
    several summing to less than the threshold, would give away a small group."""
    for cell in table.cells:
        assert cell.suppressed == (cell.value is None)
        if cell.value is not None:
            assert cell.value == 0 or cell.value >= threshold, cell
    total = table.total if table.total is not None else derivable_total
    if table.total is not None:
        assert table.total >= threshold or table.total == 0
    hidden = [cell for cell in table.cells if cell.suppressed]
    if total is None or not hidden:
        return
    remainder = total - sum(cell.value or 0 for cell in table.cells)
    assert len(hidden) >= 2, f"the only suppressed cell equals total - others = {remainder}"
    assert remainder >= threshold, f"suppressed cells sum to {remainder}, below the threshold"


def test_default_threshold_follows_insee_with_its_source() -> None:
    assert T == 11
    assert "insee.fr" in SOURCE and "11" in SOURCE


def test_primary_suppression_of_a_count() -> None:
    assert protect_count(10, T).value is None and protect_count(10, T).suppressed
    assert protect_count(11, T).value == 11
    assert protect_count(0, T).value == 0, "zero describes nobody"


def test_one_small_cell_takes_the_smallest_other_with_it() -> None:
    table = protect_table({"a": 40, "b": 3, "c": 25, "d": 12}, T, with_total=True)
    hidden = {cell.key for cell in table.cells if cell.suppressed}
    assert hidden == {"b", "d"}
    assert table.total == 80
    assert_safe(table, T)


def test_two_small_cells_summing_below_the_threshold_take_a_third() -> None:
    table = protect_table({"a": 50, "b": 2, "c": 3, "d": 30}, T, with_total=True)
    assert {cell.key for cell in table.cells if cell.suppressed} == {"b", "c", "d"}
    assert_safe(table, T)


def test_a_small_total_is_withheld() -> None:
    table = protect_table({"a": 4, "b": 5}, T, with_total=True)
    assert table.total is None
    assert all(cell.suppressed for cell in table.cells)


def test_without_a_public_total_only_the_primary_rule_applies() -> None:
    table = protect_table({"a": 4, "b": 50, "c": 12}, T, with_total=False)
    assert [cell.value for cell in table.cells] == [None, 50, 12]
    assert table.total is None


@given(st.dictionaries(st.sampled_from("abcdefghij"), st.integers(0, 60), max_size=10),
       st.integers(2, 20))
@example({"a": 1}, 11)
@example({"a": 30, "b": 1, "c": 2}, 11)
def test_no_suppressed_cell_can_be_recovered(counts: dict[str, int], threshold: int) -> None:
    table = protect_table(counts, threshold, with_total=True)
    # Even when the table's own total is withheld, the same total may be published
    # elsewhere (members_total beside members_by_sector): the attack uses it.
    # A total below the threshold is withheld everywhere (members_total is a count too).
    total = sum(counts.values())
    assert_safe(table, threshold, derivable_total=total if total >= threshold else None)
