"""A workbook of one sheet, written while it is sent.

An XLSX file is a zip archive of XML parts. openpyxl and XlsxWriter finish the archive
before the first byte can leave (its index comes last), so a region of a million members
made its staff wait minutes for a first byte, longer than a proxy waits. Here the sheet's
rows are compressed into the archive as they are read, with the standard library's
``zipfile`` writing to a stream (each entry followed by its sizes, the index at the end),
and the few fixed parts are written out as they are. Cells are inline strings and dates
(the sheet needs no shared-string table, which would have to be held whole); the header row
is bold and dates show as dd/mm/yyyy, as the openpyxl workbook did. openpyxl and
python-calamine read the result in the tests (decision 0036).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any, cast
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

#: Rows compressed between two pieces handed to the client.
ROWS_PER_PIECE = 500
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "application/vnd.openxmlformats-officedocument"
HEADER = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Characters XML 1.0 cannot carry (openpyxl refused a whole workbook for one of them).
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A sheet's name: at most 31 characters, none of these.
NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
# Styles (cellXfs): 0 plain, 1 bold (the titles), 2 a date shown dd/mm/yyyy.
BOLD, DATE = 1, 2

CONTENT_TYPES = HEADER + (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{OFFICE}.spreadsheetml.sheet.main'
    '+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OFFICE}.spreadsheetml.'
    'worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{OFFICE}.spreadsheetml.styles+xml"/>'
    '</Types>')
ROOT_RELATIONSHIPS = HEADER + (
    f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>')
WORKBOOK_RELATIONSHIPS = HEADER + (
    f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/>'
    '</Relationships>')
STYLES = HEADER + (
    f'<styleSheet xmlns="{MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="DD/MM/YYYY"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')
SHEET_START = HEADER + f'<worksheet xmlns="{MAIN}"><sheetData>'
SHEET_END = "</sheetData></worksheet>"


class _Pieces:
    """A write-only stream that keeps what is written until it is taken (``zipfile``
    writes to it as to a pipe: no seeking, each entry's sizes after its data)."""

    def __init__(self) -> None:
        self._written: list[bytes] = []

    def write(self, data: bytes) -> int:
        """Keep ``data``."""
        self._written.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing is buffered here."""

    def taken(self) -> bytes:
        """Everything written since the last call."""
        data = b"".join(self._written)
        self._written.clear()
        return data


def xlsx_chunks(sheet_name: str, titles: Sequence[str],
                rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The workbook's bytes, piece by piece: the fixed parts and the titles at once, then a
    piece every :data:`ROWS_PER_PIECE` rows, the archive's index last. ``rows`` hold text
    (given as it should read: formulas already escaped), numbers, dates or ``None``."""
    pieces = _Pieces()
    stream = cast(IO[bytes], pieces)  # what zipfile uses of a file: write and flush
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELATIONSHIPS)
        archive.writestr("xl/workbook.xml", _workbook(sheet_name))
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELATIONSHIPS)
        archive.writestr("xl/styles.xml", STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write((SHEET_START + _row(titles, BOLD)).encode("utf-8"))
            yield pieces.taken()
            pending: list[str] = []
            for values in rows:
                pending.append(_row(values))
                if len(pending) == ROWS_PER_PIECE:
                    sheet.write("".join(pending).encode("utf-8"))
                    pending.clear()
                    if piece := pieces.taken():
                        yield piece
            sheet.write(("".join(pending) + SHEET_END).encode("utf-8"))
    yield pieces.taken()


def _workbook(sheet_name: str) -> str:
    name = NOT_IN_SHEET_NAME.sub(" ", NOT_IN_XML.sub("", sheet_name))[:31] or "Sheet1"
    return HEADER + (f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>'
                     f'<sheet name={quoteattr(name)} sheetId="1" r:id="rId1"/>'
                     '</sheets></workbook>')


def _row(values: Iterable[Any], style: int = 0) -> str:
    return "<row>" + "".join(_cell(value, style) for value in values) + "</row>"


def _cell(value: Any, style: int) -> str:
    styled = f' s="{style}"' if style else ""
    if value is None:
        return "<c/>"
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, dt.date):
        moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(
            value, dt.time())
        serial = (moment.replace(tzinfo=None) - EXCEL_EPOCH) / dt.timedelta(days=1)
        number = int(serial) if serial.is_integer() else serial  # days, then a day's part
        return f'<c s="{DATE}"><v>{number!r}</v></c>'
    if isinstance(value, int | float):
        return f"<c{styled}><v>{value!r}</v></c>"
    text = NOT_IN_XML.sub("", str(value))
    if not text:
        return "<c/>"
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c t="inlineStr"{styled}><is><t{space}>{xml_escape(text)}</t></is></c>'
