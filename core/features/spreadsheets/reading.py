"""Reading a spreadsheet file into a header row and numbered rows, within limits.

CSV: UTF-8 (with or without BOM) or Windows-1252 (what French spreadsheets save), ``;`` or
``,`` between values. XLSX: read with calamine (or openpyxl in read-only mode, for a
workbook whose cells do not all name their place), after the archive was inspected so that a
small file cannot unpack into a huge one. Anything else is refused with a
message saying what to do."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import re
import string
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from campagne.i18n import format_number, gettext
from campagne.i18n_markers import N_
from campagne.settings import CampagneSettings

Value = str | dt.date
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


MIB = 1024 * 1024
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # below space, but for \t \n \r
RATIO_CHECKED_FROM = MIB  # smaller parts cannot unpack into much, whatever their ratio


@dataclass(frozen=True)
class Limits:
    """How much a file may hold (a bigger one is refused before anything is written).

    A 5 MB workbook of ordinary data unpacks into about 40 MiB of XML (50,000 rows of 12
    columns: 4.6 MB, 34 MiB) and its parts grow 5 to 25 times; a zip bomb's grow hundreds
    of times. Both are read from the archive's directory before any part is unpacked
    (Python's zipfile never unpacks more than a part's declared size)."""

    max_bytes: int = 5 * MIB
    max_rows: int = 50_000
    max_columns: int = 60
    max_unpacked_bytes: int = 50 * MIB
    max_compression_ratio: int = 100
    max_zip_entries: int = 500


LIMITS = Limits()


def limits_from(settings: CampagneSettings) -> Limits:
    """The limits, with the instance's settings (``CAMPAGNE_SHEET_MAX_*``,
    ``CAMPAGNE_MAX_UPLOAD_BYTES``): the import page and ``campagne import`` read files
    through them."""
    return replace(LIMITS, max_bytes=settings.max_upload_bytes,
                   max_rows=settings.sheet_max_rows,
                   max_unpacked_bytes=settings.sheet_max_unpacked_mb * MIB,
                   max_compression_ratio=settings.sheet_max_compression_ratio)


class SheetError(Exception):
    """The file as a whole cannot be read; ``message`` is a message id, shown translated.
    ``setting`` names the setting that decides the limit the file passed, if it did."""

    def __init__(self, message: str, *, setting: str | None = None, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message, self.params, self.setting = message, params, setting

    def translated(self) -> str:
        """The message in the current language (numbers written as the language does)."""
        if not self.params:
            return gettext(self.message)
        return gettext(self.message) % {name: _number(value) if isinstance(value, int | float)
                                         else value for name, value in self.params.items()}


def _number(value: float) -> str:
    """``50 000`` or ``50,000``; ``7,5`` or ``7.5``; ``0,25`` or ``0.25``."""
    digits = 0 if float(value).is_integer() else 1 if value >= 1 else 2
    return format_number(value, digits=digits)


@dataclass
class Sheet:
    """A file's header row and its data rows, each with its line number as the spreadsheet
    shows it (the header is line 1)."""

    headers: list[str]
    rows: list[tuple[int, list[Value]]] = field(default_factory=list)
    file_format: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    sheet_name: str | None = None


def read_sheet(data: bytes, filename: str = "", sheet_name: str | None = None,
               limits: Limits = LIMITS) -> Sheet:
    """Read ``data`` (the bytes of a CSV or XLSX file named ``filename``)."""
    if len(data) > limits.max_bytes:
        raise SheetError(N_("The file is larger than %(size)s MB: split it into smaller "
                            "files."), setting="CAMPAGNE_MAX_UPLOAD_BYTES",
                         size=limits.max_bytes / MIB)
    lower = filename.lower()
    if lower.endswith((".xlsm", ".xltm", ".xlsb")):
        raise SheetError(N_("Workbooks with macros are refused: save the sheet as .xlsx "
                            "or CSV."))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SheetError(N_("This is an old Excel file (.xls) or a protected workbook: save "
                            "it as .xlsx or CSV without a password."))
    if data.startswith(b"PK\x03\x04"):
        return read_xlsx(data, sheet_name, limits)
    if lower.endswith((".xlsx", ".ods", ".numbers")):
        raise SheetError(N_("This file could not be read as an XLSX workbook."))
    if sheet_name:
        raise SheetError(N_("A CSV file has no sheets: leave the sheet name empty."))
    return read_csv(data, limits)


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding found (``utf-8-sig``, ``utf-8``, ``cp1252``)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:4096]:
        raise SheetError(N_("The file is in UTF-16 or is not a text file: save it as "
                            "\"CSV UTF-8\" or as .xlsx."))
    candidates = ("utf-8-sig",) if data.startswith(codecs.BOM_UTF8) else ("utf-8", "cp1252")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if CONTROL.search(text):
            break
        return text, encoding
    raise SheetError(N_("The file's encoding is not supported (UTF-8 or Windows-1252 are): "
                        "save it as \"CSV UTF-8\" or as .xlsx."))


def sniff_delimiter(text: str) -> str:
    """``;`` or ``,`` (or a tab), whichever the header line (the first line with a letter
    or a digit) uses most."""
    lines = text[:100_000].splitlines()
    first = next((line for line in lines if any(c.isalnum() for c in line)), "")
    counts = {delimiter: first.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(data: bytes, limits: Limits = LIMITS) -> Sheet:
    """Read a CSV file (encoding and delimiter found from its content)."""
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    sheet: Sheet | None = None
    try:
        for line, record in enumerate(reader, start=1):
            if len(record) > limits.max_columns:
                raise SheetError(N_("Line %(line)s has more than %(limit)s columns."),
                                 line=line, limit=limits.max_columns)
            if sheet is None:  # the first row that is not blank holds the titles
                if any(value.strip() for value in record):
                    sheet = Sheet(headers=_headers(record), encoding=encoding,
                                  delimiter=delimiter)
                continue
            _add_row(sheet, line, [_unescape(value) for value in record], limits)
    except csv.Error as exc:
        raise SheetError(N_("The CSV file is malformed near line %(line)s."),
                         line=reader.line_num) from exc
    if sheet is None:
        raise SheetError(N_("The file is empty."))
    return sheet


def load_workbook(*args: Any, **kwargs: Any) -> Any:
    """openpyxl's ``load_workbook``, imported on first use: some 13 MB a worker spares
    until a workbook comes."""
    from openpyxl import load_workbook as load

    return load(*args, **kwargs)


def open_calamine(data: bytes) -> Any:
    """calamine's workbook of ``data``, imported on first use as openpyxl is."""
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_filelike(io.BytesIO(data))


def read_xlsx(data: bytes, sheet_name: str | None, limits: Limits = LIMITS) -> Sheet:
    """Read the first sheet of an XLSX workbook, or the one named ``sheet_name``.

    calamine reads it (with a fifth of the CPU time openpyxl takes) when every cell of the
    archive's sheets names its place and they all lie within the limits' rows and columns:
    calamine holds a sheet as the full rectangle of its cells, so two cells far apart would
    take gigabytes. Any other workbook is streamed by openpyxl."""
    inspect_archive(data, limits)
    if fits_calamine(data, limits):
        return _read_with_calamine(data, sheet_name, limits)
    return _read_with_openpyxl(data, sheet_name, limits)


CELL_STARTS = (b"<c ", b"<c>", b"<c/>", b"<c\t", b"<c\n", b"<c\r", b":c ", b":c>", b":c/")


def fits_calamine(data: bytes, limits: Limits = LIMITS) -> bool:
    """Whether every cell of the archive is written ``<c r="B7" ...>`` (as Excel,
    LibreOffice and openpyxl write them) within the limits' rows and columns."""
    beyond = _beyond_limits(limits.max_rows + 1, limits.max_columns)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for entry in archive.infolist():
            if entry.filename.endswith(".xml"):
                xml = archive.read(entry)
                if xml.count(b'<c r="') != sum(xml.count(start) for start in CELL_STARTS) \
                        or beyond.search(xml):
                    return False
    return True


@functools.lru_cache(maxsize=8)
def _beyond_limits(rows: int, columns: int) -> re.Pattern[bytes]:
    """A cell whose place is not a column and a row, or beyond ``rows`` or ``columns``
    (without reading each place as numbers: a sheet holds a million cells)."""
    row, column = str(rows), _column_name(columns)
    return re.compile(
        rf'<c r="(?:(?![A-Z]{{1,3}}[0-9]{{1,7}}")|[A-Z]{{{len(column) + 1},}}'
        rf'|(?:{_above(column, string.ascii_uppercase)})[0-9]'
        rf'|[A-Z]+(?:[0-9]{{{len(row) + 1},}}|{_above(row, string.digits)})")'.encode())


def _above(limit: str, alphabet: str) -> str:
    """A pattern of the strings of ``len(limit)`` characters of ``alphabet`` that come
    after ``limit`` in its order."""
    choices = []
    for index, character in enumerate(limit):
        higher = alphabet[alphabet.index(character) + 1:]
        if higher:
            choices.append(f"{re.escape(limit[:index])}[{higher[0]}-{higher[-1]}]"
                           f"[{alphabet[0]}-{alphabet[-1]}]{{{len(limit) - index - 1}}}")
    return "|".join(choices) or "(?!)"


def _column_name(number: int) -> str:
    name = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        name = chr(65 + remainder) + name
    return name


def _read_with_calamine(data: bytes, sheet_name: str | None, limits: Limits) -> Sheet:
    from python_calamine import CalamineError

    try:
        workbook = open_calamine(data)
    except (CalamineError, ValueError, OSError) as exc:
        raise SheetError(N_("This file could not be read as an XLSX workbook.")) from exc
    with workbook:
        names = list(workbook.sheet_names)
        if sheet_name and sheet_name not in names:
            raise SheetError(N_("There is no sheet named \"%(name)s\"; the sheets are: "
                                "%(names)s."), name=sheet_name, names=", ".join(names))
        try:
            worksheet = workbook.get_sheet_by_name(sheet_name or names[0])
            # Rows are given from the first; columns from the first that holds a cell.
            padding: list[object] = [""] * worksheet.start[1] if worksheet.start else []
            return _sheet_of(((padding + row for row in worksheet.iter_rows())),
                             sheet_name or names[0], limits)
        except (CalamineError, ValueError, OSError, IndexError) as exc:
            raise SheetError(N_("This file could not be read as an XLSX workbook.")) from exc


def _read_with_openpyxl(data: bytes, sheet_name: str | None, limits: Limits) -> Sheet:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True,
                                 keep_links=False)
    except Exception as exc:  # any defect of the workbook is the file's fault
        raise SheetError(N_("This file could not be read as an XLSX workbook.")) from exc
    try:
        names = list(workbook.sheetnames)
        if sheet_name and sheet_name not in names:
            raise SheetError(N_("There is no sheet named \"%(name)s\"; the sheets are: "
                                "%(names)s."), name=sheet_name, names=", ".join(names))
        worksheet = workbook[sheet_name or names[0]]
        return _sheet_of(worksheet.iter_rows(values_only=True), sheet_name or names[0], limits)
    except SheetError:
        raise
    except Exception as exc:
        raise SheetError(N_("This file could not be read as an XLSX workbook.")) from exc
    finally:
        workbook.close()


def _sheet_of(rows: Iterable[Iterable[object]], name: str, limits: Limits) -> Sheet:
    """The sheet of a workbook's rows (the first is line 1)."""
    sheet: Sheet | None = None
    for line, cells in enumerate(rows, start=1):
        values = _trim([_cell(value) for value in cells])
        if len(values) > limits.max_columns:
            raise SheetError(N_("Line %(line)s has more than %(limit)s columns."),
                             line=line, limit=limits.max_columns)
        if sheet is None:  # the first row that is not blank holds the titles
            if any(str(value).strip() for value in values):
                sheet = Sheet(headers=_headers([str(v) for v in values]),
                              file_format="xlsx", sheet_name=name)
            continue
        _add_row(sheet, line, values, limits)
    if sheet is None:
        raise SheetError(N_("The file is empty."))
    return sheet


def inspect_archive(data: bytes, limits: Limits = LIMITS) -> None:
    """Refuse a workbook with macros, or one that would unpack into too much data or
    grows as only a zip bomb does (the sizes the archive declares, before any part is
    unpacked)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            content_types = archive.read("[Content_Types].xml") if any(
                e.filename == "[Content_Types].xml" and e.file_size < 1_000_000
                for e in entries) else b""
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise SheetError(N_("This file could not be read as an XLSX workbook.")) from exc
    if len(entries) > limits.max_zip_entries or sum(
            entry.file_size for entry in entries) > limits.max_unpacked_bytes:
        raise SheetError(N_("The workbook unpacks into too much data: save it again, or "
                            "split it into smaller files."),
                         setting="CAMPAGNE_SHEET_MAX_UNPACKED_MB")
    if any(entry.file_size > RATIO_CHECKED_FROM and entry.file_size
           > limits.max_compression_ratio * max(entry.compress_size, 1) for entry in entries):
        raise SheetError(N_("The workbook unpacks into far more data than a spreadsheet "
                            "holds: save it again from your spreadsheet, or as CSV."),
                         setting="CAMPAGNE_SHEET_MAX_COMPRESSION_RATIO")
    if any(entry.filename.lower().endswith("vbaproject.bin") for entry in entries) \
            or b"macroEnabled" in content_types:
        raise SheetError(N_("Workbooks with macros are refused: save the sheet as .xlsx "
                            "or CSV."))


def _headers(record: list[str]) -> list[str]:
    return [value.strip() or gettext("(column %(number)s)") % {"number": index}
            for index, value in enumerate(record, start=1)]


def _add_row(sheet: Sheet, line: int, values: list[Value], limits: Limits) -> None:
    if line > limits.max_rows + 1:
        raise SheetError(N_("The file has more than %(limit)s rows: split it into smaller "
                            "files."), setting="CAMPAGNE_SHEET_MAX_ROWS", limit=limits.max_rows)
    if any(value for value in values if not isinstance(value, str) or value.strip()):
        sheet.rows.append((line, values))


def _unescape(value: str) -> str:
    """Undo the quote an export puts before a value that would be read as a formula."""
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


def _cell(value: object) -> Value:
    """An XLSX cell as text, or as a date when it holds one."""
    if type(value) is str:  # most cells, tested first: a workbook has a million of them
        return _unescape(value) if value.startswith("'") else value
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _unescape(str(value))


def _trim(values: list[Value]) -> list[Value]:
    while values and values[-1] == "":
        values.pop()
    return values
