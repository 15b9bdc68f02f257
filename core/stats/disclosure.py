"""Disclosure control: no published figure concerns fewer people than a threshold.

* Primary suppression: a count of people between 1 and ``threshold - 1`` is withheld
  (zero is published: it describes nobody).
* Secondary suppression: in a table published with its total, the suppressed cells
  could be recovered by subtracting the published ones from the total. Further cells
  (the smallest first) are withheld until at least two are and their sum is itself at
  least ``threshold`` (or every cell is). A total below the threshold is withheld.

The default threshold, 11, follows INSEE's rules of statistical confidentiality for
data about people: no cell may concern fewer than 11 individuals (see docs/statistics.md).
"""

from __future__ import annotations

from collections.abc import Mapping

from campagne.stats.schema import Cell, Count, Table

DEFAULT_THRESHOLD = 11
RULE = ("primary suppression of counts from 1 to threshold - 1; secondary suppression "
        "of further cells so that no suppressed cell can be derived from a total")
SOURCE = ("INSEE, règles de secret statistique (données sur les personnes : pas de "
          "case de moins de 11 individus), https://www.insee.fr/fr/information/1300624")


def is_sensitive(value: int, threshold: int) -> bool:
    """True when ``value`` people are too few to be published."""
    return 0 < value < threshold


def protect_count(value: int, threshold: int) -> Count:
    """A single count, withheld when too small."""
    if is_sensitive(value, threshold):
        return Count(value=None, suppressed=True)
    return Count(value=value)


def suppressed_keys(counts: Mapping[str, int], threshold: int, *, with_total: bool) -> set[str]:
    """The cells to withhold: primary ones, then secondary ones when a total is published."""
    hidden = {key for key, value in counts.items() if is_sensitive(value, threshold)}
    if not with_total or not hidden:
        return hidden
    by_size = sorted((value, key) for key, value in counts.items() if key not in hidden)
    while by_size and (len(hidden) < 2 or sum(counts[k] for k in hidden) < threshold):
        hidden.add(by_size.pop(0)[1])
    return hidden


def protect_table(counts: Mapping[str, int], threshold: int, *, with_total: bool) -> Table:
    """A table of people by category, after primary and secondary suppression.

    ``with_total`` says that the table's total is public (here, or elsewhere in the
    same publication, such as the number of members for the table of sectors): the
    secondary rule then applies, and the total is published unless it is too small.
    """
    hidden = suppressed_keys(counts, threshold, with_total=with_total)
    cells = [Cell(key=key, value=None, suppressed=True) if key in hidden
             else Cell(key=key, value=value) for key, value in counts.items()]
    total: int | None = None
    if with_total and not is_sensitive(sum(counts.values()), threshold):
        total = sum(counts.values())
    return Table(total=total, cells=cells)
