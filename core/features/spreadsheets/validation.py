"""Checking a mapping, then every row of a file: each problem is kept with the row's line
number, so that the report names every rejected row and why."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from campagne.features.spreadsheets.checks import CHECKS, Invalid
from campagne.features.spreadsheets.fields import FIELDS, IGNORE, Kind
from campagne.features.spreadsheets.reading import Sheet
from campagne.i18n import gettext
from campagne.i18n_markers import N_

REQUIRED = {kind: tuple(spec.key for spec in FIELDS[kind] if spec.required)
            for kind in (Kind.INQUIRIES, Kind.MEMBERS)}
LABELS = {spec.key: spec.label for kind in (Kind.INQUIRIES, Kind.MEMBERS)
          for spec in FIELDS[kind]}


@dataclass(frozen=True)
class Problem:
    """Why a row (or the mapping, ``line`` 0) is refused; ``message`` is a message id."""

    line: int
    column: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)
    column_key: str = ""

    def reason(self) -> str:
        """The reason in the current language (a ``field`` parameter is shown as the
        field's label followed by its key)."""
        if not self.params:
            return gettext(self.message)
        params = dict(self.params)
        if params.get("field") in LABELS:
            key = params["field"]
            params["field"] = f"{gettext(LABELS[key])} ({key})"
        return gettext(self.message) % params

    def describe(self) -> str:
        """``Line 4, E-mail: "x" is not an e-mail address`` in the current language."""
        if not self.line:
            return self.reason()
        where = gettext("Line %(line)s") % {"line": self.line}
        if self.column:
            where = gettext("%(where)s, column \"%(column)s\"") % {
                "where": where, "column": self.column}
        return gettext("%(where)s: %(reason)s") % {"where": where, "reason": self.reason()}


@dataclass(frozen=True)
class ValidRow:
    """A row that passed every check: its line and its values by field key (blank cells left
    out, so that they never erase what a record holds)."""

    line: int
    values: dict[str, Any]


class Column(NamedTuple):
    """A mapped column as each row's loop reads it: its position, its field's key, check and
    longest value, its header."""

    position: int
    key: str
    check: Callable[[Any, int], object]
    max_length: int
    header: str


class MappingInvalid(Exception):
    """The mapping cannot be used (unknown field, field twice, required field missing)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems


def check_mapping(kind: Kind, headers: Sequence[str], mapping: Sequence[str]) -> None:
    """Raise :class:`MappingInvalid` unless ``mapping`` gives each column a known field of
    ``kind`` (or :data:`IGNORE`), no field twice, and the fields a record needs."""
    specs = {spec.key: spec for spec in FIELDS[kind]}
    problems: list[Problem] = []
    if len(mapping) != len(headers):
        raise MappingInvalid([Problem(0, "", N_("The mapping does not cover every column."))])
    seen: dict[str, str] = {}
    for header, key in zip(headers, mapping, strict=True):
        if key == IGNORE:
            continue
        if key not in specs:
            problems.append(Problem(0, header, N_("Column \"%(column)s\": unknown field "
                                                  "\"%(name)s\"."),
                                    {"column": header, "name": key}))
        elif key in seen:
            problems.append(Problem(0, header, N_("Columns \"%(first)s\" and \"%(second)s\" "
                                                  "are both mapped to the same field."),
                                    {"first": seen[key], "second": header}))
        seen.setdefault(key, header)
    for spec in FIELDS[kind]:
        if spec.required and spec.key not in seen:
            problems.append(Problem(0, "", N_("No column is mapped to the required field "
                                              "%(field)s."), {"field": spec.key}))
    if kind is Kind.MEMBERS and not {"sector", "naf_code"} & seen.keys():
        problems.append(Problem(0, "", N_("Map a column to \"sector\" or to \"naf_code\": "
                                          "every member needs a sector.")))
    identity = {"email", "siret"} if kind is Kind.MEMBERS else {"email"}
    if not identity & seen.keys():
        problems.append(Problem(0, "", N_("Map a column to \"%(fields)s\": records are "
                                          "matched on it when a file is imported again."),
                                {"fields": "\" / \"".join(sorted(identity))}))
    if problems:
        raise MappingInvalid(problems)


def validate_rows(kind: Kind, sheet: Sheet, mapping: Sequence[str]
                  ) -> tuple[list[ValidRow], list[Problem]]:
    """Check every row; return the valid ones and every problem found (all rows are read,
    so that the report is complete)."""
    check_mapping(kind, sheet.headers, mapping)
    specs = {spec.key: spec for spec in FIELDS[kind]}
    columns = [Column(index, key, CHECKS[specs[key].check], specs[key].max_length,
                      sheet.headers[index])
               for index, key in enumerate(mapping) if key != IGNORE]
    valid: list[ValidRow] = []
    problems: list[Problem] = []
    first_line: dict[tuple[str, str], int] = {}
    for line, cells in sheet.rows:
        values, found = _row_values(line, cells, columns)
        present = values.keys() | {problem.column_key for problem in found}
        found += _row_rules(kind, line, values, present)
        found += _duplicates(line, values, first_line)
        if found:
            problems.extend(found)
        else:
            valid.append(ValidRow(line, values))
    return valid, problems


def _row_values(line: int, cells: Sequence[Any], columns: list[Column]
                ) -> tuple[dict[str, Any], list[Problem]]:
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    width = len(cells)
    for position, key, check, max_length, header in columns:
        raw = cells[position] if position < width else ""
        if isinstance(raw, str) and (not raw or raw.isspace()):
            continue
        try:
            values[key] = check(raw, max_length)
        except Invalid as exc:
            problems.append(Problem(line, header, exc.message, exc.params, key))
    return values, problems


def _row_rules(kind: Kind, line: int, values: dict[str, Any], present: set[str]
               ) -> list[Problem]:
    """Rules across the fields of one row (``present``: the fields with a value, valid or
    not, so that an invalid value is not also reported as missing)."""
    problems = [Problem(line, "", N_("%(field)s is required"), {"field": key})
                for key in REQUIRED[kind] if key not in present]
    if kind is Kind.MEMBERS:
        if "sector" not in values and "naf_code" in values:
            values["sector"] = CHECKS["sector"](values["naf_code"], 6)
        if not {"sector", "naf_code"} & present:
            problems.append(Problem(line, "", N_("a sector or a NAF code is required")))
        if not {"email", "siret"} & present:
            problems.append(Problem(line, "", N_("an e-mail or a SIRET is required")))
        arrived, left = values.get("arrival_date"), values.get("left_on")
        if arrived and left and left < arrived:
            problems.append(Problem(line, "", N_("the departure date is before the arrival "
                                                 "date")))
    elif "email" not in present:
        problems.append(Problem(line, "", N_("an e-mail is required")))
    return problems


def _duplicates(line: int, values: dict[str, Any], first_line: dict[tuple[str, str], int]
                ) -> list[Problem]:
    """The same e-mail or SIRET twice in a file is refused (which row would win?)."""
    problems = []
    for key in ("email", "siret"):
        if key not in values:
            continue
        identity = (key, str(values[key]).casefold())
        if identity in first_line:
            problems.append(Problem(line, "", N_("same %(field)s as line %(other)s"),
                                    {"field": key, "other": first_line[identity]}))
        else:
            first_line[identity] = line
    return problems
