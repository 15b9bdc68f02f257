"""The filtered lists of a region as CSV or XLSX.

CSV is written for French spreadsheets: UTF-8 with a byte order mark (so Excel reads the
accents), ``;`` between values, dates as ISO 8601 (docs/decisions/0013). A text cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with ``'`` so
that no spreadsheet runs it as a formula (the import removes that quote again)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from campagne.api.member_schemas import StatusValue
from campagne.features.spreadsheets.fields import FIELDS, Kind
from campagne.features.spreadsheets.reading import FORMULA_STARTS
from campagne.i18n import gettext
from campagne.i18n_markers import N_
from campagne.models import Member, Region
from campagne.operations.models import Inquiry

Record = Member | Inquiry
SHEET_TITLES = {Kind.MEMBERS: N_("Members"), Kind.INQUIRIES: N_("Inquiries")}
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class MemberFilter(BaseModel):
    """The staff list's filters (the same as its search form)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=100)
    sector: str | None = Field(default=None, max_length=40)
    commune: str | None = Field(default=None, max_length=120)
    status: StatusValue | None = None


class InquiryFilter(BaseModel):
    """Filters of the inquiry list."""

    model_config = ConfigDict(extra="forbid")

    stage: str | None = Field(default=None, max_length=40)
    sector: str | None = Field(default=None, max_length=40)


def filtered_members(session: Session, region_slug: str, chosen: MemberFilter
                     ) -> list[Member]:
    """The members of a region the filters keep, newest first (as the staff list shows)."""
    query = (select(Member).join(Region, col(Region.id) == col(Member.region_id))
             .where(Region.slug == region_slug))
    if chosen.name:
        pattern = f"%{chosen.name.lower()}%"
        query = query.where(or_(func.lower(Member.first_name).like(pattern),
                                func.lower(Member.last_name).like(pattern),
                                func.lower(Member.business_name).like(pattern)))
    if chosen.sector:
        query = query.where(Member.sector_slug == chosen.sector)
    if chosen.commune:
        query = query.where(func.lower(Member.commune) == chosen.commune.lower())
    if chosen.status:
        query = query.where(Member.status == chosen.status)
    return list(session.exec(query.order_by(col(Member.id).desc())).all())


def filtered_inquiries(session: Session, region_slug: str, chosen: InquiryFilter
                       ) -> list[Inquiry]:
    """The inquiries of a region the filters keep, newest first."""
    query = (select(Inquiry).join(Region, col(Region.id) == col(Inquiry.region_id))
             .where(Region.slug == region_slug))
    if chosen.stage:
        query = query.where(Inquiry.stage == chosen.stage)
    if chosen.sector:
        query = query.where(Inquiry.sector_slug == chosen.sector)
    return list(session.exec(query.order_by(col(Inquiry.id).desc())).all())


def escape(value: str) -> str:
    """A text that no spreadsheet will read as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def headers(kind: Kind) -> list[str]:
    """The column titles, in the current language (a later import recognises them)."""
    return [gettext(spec.label) for spec in FIELDS[kind]]


def values_of(kind: Kind, record: Record) -> list[Any]:
    """A record's exported values, in the order of :func:`headers`."""
    return [getattr(record, spec.column) for spec in FIELDS[kind]]


def to_csv(kind: Kind, rows: Sequence[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM, ``;`` between values, CRLF line ends, dates ISO 8601 (``rows``: the
    records' values, from :func:`values_of`)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([escape(title) for title in headers(kind)])
    for values in rows:
        writer.writerow([_csv_value(value) for value in values])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return escape(str(value))


def to_xlsx(kind: Kind, rows: Sequence[Sequence[Any]]) -> bytes:
    """One sheet, a bold header row, dates as date cells (shown dd/mm/yyyy)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(gettext(SHEET_TITLES[kind])[:31])
    bold = Font(bold=True)
    titles = []
    for title in headers(kind):
        cell = WriteOnlyCell(sheet, value=escape(title))
        cell.font = bold
        titles.append(cell)
    sheet.append(titles)
    for values in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD/MM/YYYY"
        return cell
    return escape(str(value))  # openpyxl reads only a text starting with "=" as a formula


def export(kind: Kind, file_format: str, rows: Sequence[Sequence[Any]]) -> bytes:
    """The records' values (:func:`values_of`) as ``csv`` or ``xlsx``. Building the file needs
    no database connection: callers read the values, commit (the connection goes back to
    the pool), then build it."""
    return to_csv(kind, rows) if file_format == "csv" else to_xlsx(kind, rows)


def filename(region_slug: str, kind: Kind, file_format: str) -> str:
    """``gers-members-2026-11-27.csv``: no personal data in it."""
    return f"{region_slug}-{kind.value}-{dt.date.today().isoformat()}.{file_format}"
