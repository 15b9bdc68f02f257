"""The filtered lists of a region as CSV or XLSX.

CSV is written for French spreadsheets: UTF-8 with a byte order mark (so Excel reads the
accents), ``;`` between values, dates as ISO 8601 (docs/decisions/0013). A text cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with ``'`` so
that no spreadsheet runs it as a formula (the import removes that quote again).

Exports are read in batches and written as they are read, so that their memory does not grow
with the number of records (docs/decisions/0025-streamed-exports.md), workbooks included
(docs/decisions/0036-workbooks-sent-as-written.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, Engine, func, or_
from sqlmodel import Session, col, select

from campagne.api.member_schemas import StatusValue
from campagne.features.spreadsheets.fields import FIELDS, Kind
from campagne.features.spreadsheets.reading import FORMULA_STARTS
from campagne.features.spreadsheets.xlsx_stream import xlsx_chunks
from campagne.i18n import gettext
from campagne.i18n_markers import N_
from campagne.models import Member, Region
from campagne.operations.models import Inquiry

TABLES: dict[Kind, type[Member] | type[Inquiry]] = {Kind.MEMBERS: Member,
                                                    Kind.INQUIRIES: Inquiry}
SHEET_TITLES = {Kind.MEMBERS: N_("Members"), Kind.INQUIRIES: N_("Inquiries")}
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
BOM = "\ufeff".encode()
#: Records read per query of an export, rows per piece of a CSV stream, bytes per piece
#: of a finished XLSX file.
BATCH_ROWS, CHUNK_ROWS = 1000, 500


class MemberFilter(BaseModel):
    """The staff list's filters (the same as its search form)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=100)
    sector: str | None = Field(default=None, max_length=40)
    commune: str | None = Field(default=None, max_length=120)
    status: StatusValue | None = None


@dataclass(frozen=True)
class Selection:
    """What an export reads: the kind of record and the conditions the records meet."""

    kind: Kind
    conditions: tuple[ColumnElement[bool], ...]


class InquiryFilter(BaseModel):
    """Filters of the inquiry list."""

    model_config = ConfigDict(extra="forbid")

    stage: str | None = Field(default=None, max_length=40)
    sector: str | None = Field(default=None, max_length=40)


def member_selection(region_slug: str, chosen: MemberFilter) -> Selection:
    """The members of a region the filters keep (read newest first, as the staff list
    shows them)."""
    conditions: list[ColumnElement[bool]] = [Member.region_id == _region_id(region_slug)]
    if chosen.name:
        pattern = f"%{chosen.name.lower()}%"
        conditions.append(or_(func.lower(Member.first_name).like(pattern),
                              func.lower(Member.last_name).like(pattern),
                              func.lower(Member.business_name).like(pattern)))
    if chosen.sector:
        conditions.append(col(Member.sector_slug) == chosen.sector)
    if chosen.commune:
        conditions.append(func.lower(Member.commune) == chosen.commune.lower())
    if chosen.status:
        conditions.append(col(Member.status) == chosen.status)
    return Selection(Kind.MEMBERS, tuple(conditions))


def inquiry_selection(region_slug: str, chosen: InquiryFilter) -> Selection:
    """The inquiries of a region the filters keep (read newest first)."""
    conditions: list[ColumnElement[bool]] = [Inquiry.region_id == _region_id(region_slug)]
    if chosen.stage:
        conditions.append(col(Inquiry.stage) == chosen.stage)
    if chosen.sector:
        conditions.append(col(Inquiry.sector_slug) == chosen.sector)
    return Selection(Kind.INQUIRIES, tuple(conditions))


def _region_id(region_slug: str) -> Any:
    return select(Region.id).where(Region.slug == region_slug).scalar_subquery()


def count_and_last(session: Session, selection: Selection) -> tuple[int, int]:
    """How many records the selection holds and the highest id among them (0 when none):
    the export reads no record above it, so records added meanwhile are left out and the
    audited count holds unless records are deleted during the export."""
    model = TABLES[selection.kind]
    found = session.execute(select(func.count(), func.max(model.id))
                            .where(*selection.conditions)).one()
    return int(found[0]), int(found[1] or 0)


def read_rows(engine: Engine, selection: Selection, last_id: int,
              batch: int | None = None) -> Iterator[list[Any]]:
    """The exported values (in the order of :func:`headers`) of the selected records with
    an id up to ``last_id``, newest first, read by keyset pagination on the id: each batch
    of ``batch`` records (:data:`BATCH_ROWS`) is one short query on a connection taken from
    the pool and given back at once, so a slow reader holds no connection nor transaction
    between batches (docs/decisions/0025-streamed-exports.md)."""
    size = batch or BATCH_ROWS
    model = TABLES[selection.kind]
    identifier = col(model.id)
    columns = [getattr(model, spec.column) for spec in FIELDS[selection.kind]]
    bound = last_id + 1
    while True:
        query = (select(identifier, *columns)
                 .where(*selection.conditions, identifier < bound)
                 .order_by(identifier.desc()).limit(size))
        with engine.connect() as connection:
            fetched = connection.execute(query).all()
        for row in fetched:
            yield list(row[1:])
        if len(fetched) < size:
            return
        bound = fetched[-1][0]


def escape(value: str) -> str:
    """A text that no spreadsheet will read as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def headers(kind: Kind) -> list[str]:
    """The column titles, in the current language (a later import recognises them)."""
    return [gettext(spec.label) for spec in FIELDS[kind]]


def csv_chunks(titles: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """UTF-8 with BOM, ``;`` between values, CRLF line ends, dates ISO 8601, written row by
    row: the header line comes at once, then a piece every :data:`CHUNK_ROWS` rows (``rows``:
    the records' values, from :func:`read_rows`)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([escape(title) for title in titles])
    yield BOM + _taken(buffer)
    pending = 0
    for values in rows:
        writer.writerow([_csv_value(value) for value in values])
        pending += 1
        if pending == CHUNK_ROWS:
            yield _taken(buffer)
            pending = 0
    if pending:
        yield _taken(buffer)


def _taken(buffer: io.StringIO) -> bytes:
    """The buffer's text as UTF-8, the buffer emptied."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode("utf-8")


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return escape(str(value))


def workbook_chunks(kind: Kind, titles: Sequence[str], rows: Iterable[Sequence[Any]]
                    ) -> Iterator[bytes]:
    """One sheet, a bold header row, dates as date cells (shown dd/mm/yyyy), sent as it is
    written (:mod:`~campagne.features.spreadsheets.xlsx_stream`): the first piece at once,
    whatever the number of rows, and nothing kept on disk."""
    return xlsx_chunks(gettext(SHEET_TITLES[kind]), [escape(title) for title in titles],
                       ([_xlsx_value(value) for value in values] for values in rows))


def _xlsx_value(value: Any) -> Any:
    if value is None or isinstance(value, dt.date):
        return value
    return escape(str(value))  # text, never read as a formula


def filename(region_slug: str, kind: Kind, file_format: str) -> str:
    """``gers-members-2026-11-27.csv``: no personal data in it."""
    return f"{region_slug}-{kind.value}-{dt.date.today().isoformat()}.{file_format}"
