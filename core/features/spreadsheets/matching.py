"""Matching the valid rows of a file with the records of their region, and finding what each
row would change.

The region's records are read in one query of the few columns an import compares (no model
object is built: a region may hold hundreds of thousands of records). A row matches a record
by e-mail (without case) or SIRET; a row matching two records, or a record another row
already matched, is refused."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Table, select
from sqlmodel import Session

from campagne.features.spreadsheets.fields import FIELDS, Kind
from campagne.features.spreadsheets.validation import Problem, ValidRow
from campagne.i18n_markers import N_
from campagne.models import Member
from campagne.operations.models import Inquiry

TABLES: dict[Kind, Table] = {Kind.MEMBERS: Member.__table__,  # type: ignore[attr-defined]
                             Kind.INQUIRIES: Inquiry.__table__}  # type: ignore[attr-defined]
Existing = Row[Any]  # ``id``, ``version`` and the columns of the kind's fields


@dataclass
class Step:
    """What one valid row does: create a record (``record`` is ``None``, ``changes`` holds
    every value of the row) or change the fields of ``record`` named in ``changes`` (none:
    the row is unchanged). ``changes`` is keyed by field key."""

    row: ValidRow
    record: Existing | None
    changes: dict[str, Any]


def record_columns(kind: Kind) -> list[str]:
    """The columns read of each record, in the order of its row: ``id``, ``version``, then
    the columns of the kind's fields."""
    return ["id", "version", *sorted({spec.column for spec in FIELDS[kind]})]


def existing_records(session: Session, region_id: int, kind: Kind) -> Sequence[Existing]:
    """The region's records as the database holds them now (read after the import lock),
    with the columns of :func:`record_columns`."""
    table = TABLES[kind]
    return session.execute(select(*(table.c[name] for name in record_columns(kind)))
                           .where(table.c.region_id == region_id)).all()


def plan(session: Session, region_id: int, kind: Kind, rows: list[ValidRow]
         ) -> tuple[list[Step], list[Problem]]:
    """Match every row with a record of the region and find what would change."""
    by_email: dict[str, Existing] = {}
    by_siret: dict[str, Existing] = {}
    has_siret = kind is Kind.MEMBERS
    for existing in existing_records(session, region_id, kind):
        if existing.email:
            by_email.setdefault(existing.email.casefold(), existing)
        if has_siret and existing.siret:
            by_siret.setdefault(existing.siret, existing)
    position = {name: index for index, name in enumerate(record_columns(kind))}
    columns = {spec.key: position[spec.column] for spec in FIELDS[kind]}
    steps, problems = [], []
    claimed: dict[int, int] = {}
    for row in rows:
        email, siret = row.values.get("email"), row.values.get("siret")
        by_address = by_email.get(email.casefold()) if email else None
        by_number = by_siret.get(siret) if siret else None
        if by_address is not None and by_number is not None and by_address.id != by_number.id:
            problems.append(Problem(row.line, "", N_("the e-mail matches one record and the "
                                                     "SIRET another")))
            continue
        record = by_address if by_address is not None else by_number
        if record is not None:
            if record.id in claimed:
                problems.append(Problem(row.line, "", N_("matches the same record as line "
                                                         "%(other)s"),
                                        {"other": claimed[record.id]}))
                continue
            claimed[record.id] = row.line
        changes = changed_values(columns, record, row.values) if record is not None \
            else row.values
        steps.append(Step(row, record, changes))
    return steps, problems


def changed_values(columns: dict[str, int], record: Existing, values: dict[str, Any]
                   ) -> dict[str, Any]:
    """The values of the row that differ from the record's (``columns``: the position of
    each field key's column in ``record``; an e-mail differing only in case is the same
    address)."""
    changed = {}
    for key, value in values.items():
        current = record[columns[key]]
        if key == "email" and isinstance(current, str) and current.casefold() == value.casefold():
            continue
        if current != value:
            changed[key] = value
    return changed
