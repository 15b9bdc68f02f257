"""Reading spreadsheets: encodings, delimiters, line numbers, XLSX sheets, and the files
refused (other encodings, macros, old formats, too big, too many rows or columns, zip bombs
and workbooks that unpack into too much, before openpyxl reads them);
then the checks of single values and the automatic mapping of headers."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterator

import pytest
from openpyxl import Workbook

from campagne import i18n
from campagne.features.spreadsheets import checks, reading
from campagne.features.spreadsheets.fields import IGNORE, Kind, auto_mapping, normalise
from campagne.features.spreadsheets.reading import Limits, SheetError, limits_from, read_sheet
from campagne.features.spreadsheets.validation import MappingInvalid, check_mapping
from campagne.settings import CampagneSettings

TEXT = "Nom;Prénom;Courriel\nLacoste;Amélie;amelie@example.org\nSoulé;Inès;ines@example.org\n"


@pytest.fixture
def french() -> Iterator[None]:
    """Messages in French for the test."""
    token = i18n.current_locale.set("fr")
    yield
    i18n.current_locale.reset(token)


def xlsx(rows: list[list[object]], title: str = "Feuil1", extra: str | None = None) -> bytes:
    """A workbook with one sheet of ``rows`` (and an ``extra`` empty sheet first)."""
    workbook = Workbook()
    sheet = workbook.active
    if extra:
        sheet.title = extra
        sheet = workbook.create_sheet(title)
    else:
        sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("encoding", "found"), [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252")])
def test_csv_encodings_give_the_same_rows(encoding: str, found: str) -> None:
    sheet = read_sheet(TEXT.encode(encoding), "membres.csv")
    assert sheet.encoding == found
    assert sheet.headers == ["Nom", "Prénom", "Courriel"]
    assert sheet.rows == [(2, ["Lacoste", "Amélie", "amelie@example.org"]),
                          (3, ["Soulé", "Inès", "ines@example.org"])]


@pytest.mark.parametrize("data", [
    TEXT.encode("utf-16"), TEXT.encode("utf-16-le"), b"Nom;Pr\x00nom\n", b"\x81\x8d\x8f\x90"])
def test_other_encodings_are_refused_with_a_clear_message(data: bytes, french: None) -> None:
    with pytest.raises(SheetError) as refused:
        read_sheet(data, "membres.csv")
    assert "CSV UTF-8" in refused.value.translated()


@pytest.mark.parametrize(("text", "delimiter"), [
    ("a;b\n1,5;2\n", ";"), ("a,b\n\"1;5\",2\n", ","), ("a\tb\n1\t2\n", "\t"), ("a\n1\n", ",")])
def test_the_delimiter_is_found_from_the_header_line(text: str, delimiter: str) -> None:
    assert read_sheet(text.encode(), "x.csv").delimiter == delimiter


def test_line_numbers_are_the_spreadsheets_even_with_line_breaks_and_blank_rows() -> None:
    text = 'Nom;Note\nA;"two\nlines"\n;\nB;x\n'
    sheet = read_sheet(text.encode(), "x.csv")
    assert [line for line, _ in sheet.rows] == [2, 4]  # the blank row 3 is skipped


def test_xlsx_first_sheet_or_named_sheet_with_dates_and_numbers() -> None:
    data = xlsx([["Nom", "SIRET", "Arrivée"], ["A", 13243700158505, dt.datetime(2024, 3, 1)],
                 [], ["B", "'=1+1", None]], title="Membres", extra="Notes")
    with pytest.raises(SheetError, match="empty"):
        read_sheet(data, "m.xlsx")  # the first sheet, "Notes", is empty
    sheet = read_sheet(data, "m.xlsx", "Membres")
    assert sheet.file_format == "xlsx"
    assert sheet.rows == [(2, ["A", "13243700158505", dt.date(2024, 3, 1)]),
                          (4, ["B", "=1+1"])]  # the export's escape quote is removed


def test_an_unknown_sheet_names_the_sheets(french: None) -> None:
    with pytest.raises(SheetError) as refused:
        read_sheet(xlsx([["a"]], title="Membres"), "m.xlsx", "Members")
    assert "Membres" in refused.value.translated()


def test_macro_workbooks_and_old_formats_are_refused() -> None:
    with pytest.raises(SheetError, match="macros"):
        read_sheet(xlsx([["a"]]), "m.xlsm")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        with zipfile.ZipFile(io.BytesIO(xlsx([["a"]]))) as original:
            for item in original.infolist():
                archive.writestr(item, original.read(item.filename))
        archive.writestr("xl/vbaProject.bin", b"\x00" * 10)
    with pytest.raises(SheetError, match="macros"):
        read_sheet(buffer.getvalue(), "m.xlsx")
    with pytest.raises(SheetError, match="old Excel"):
        read_sheet(b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "m.xls")
    with pytest.raises(SheetError, match="XLSX"):
        read_sheet(b"PK\x03\x04 not really a zip", "m.xlsx")


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * 200_000_000 + b">")
    data = buffer.getvalue()
    assert len(data) < 1_000_000  # 200 MB packed into a few hundred kB
    with pytest.raises(SheetError, match="unpacks into too much data"):
        read_sheet(data, "bomb.xlsx")


def workbook_with_part(mib: int) -> bytes:
    """A workbook whose sheet part unpacks into ``mib`` MiB of XML (written a MiB at a time)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with zipfile.ZipFile(io.BytesIO(xlsx([["a"]]))) as original:
            for item in original.infolist():
                if item.filename != "xl/worksheets/sheet1.xml":
                    archive.writestr(item, original.read(item.filename))
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(b'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>')
            for _ in range(mib):
                part.write(b"a" * (1024 * 1024))
            part.write(b"</t></is></c></row></sheetData></worksheet>")
    return buffer.getvalue()


@pytest.fixture
def openpyxl_calls(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The workbooks given to either reader (which then fails: none of them is readable)."""
    calls: list[object] = []

    def record(source: object, **_options: object) -> None:
        calls.append(source)
        raise ValueError("not read in this test")

    monkeypatch.setattr(reading, "load_workbook", record)
    monkeypatch.setattr(reading, "open_calamine", record)
    return calls


def test_a_workbook_of_147_mib_of_xml_is_refused_unread(openpyxl_calls: list[object]) -> None:
    data = workbook_with_part(147)
    assert len(data) < Limits().max_bytes  # under the upload limit
    with pytest.raises(SheetError, match="unpacks into too much data"):
        read_sheet(data, "big.xlsx")
    assert openpyxl_calls == []
    roomy = limits_from(CampagneSettings(sheet_max_unpacked_mb=200,
                                         sheet_max_compression_ratio=5000))
    with pytest.raises(SheetError, match="could not be read"):  # the settings decide
        read_sheet(data, "big.xlsx", limits=roomy)
    assert len(openpyxl_calls) == 1


def test_a_part_that_grows_as_only_a_bomb_does_is_refused(
        openpyxl_calls: list[object]) -> None:
    data = workbook_with_part(20)  # under 50 MiB, but 20 MiB from a few kB
    with pytest.raises(SheetError, match="far more data than a spreadsheet holds"):
        read_sheet(data, "bomb.xlsx")
    assert openpyxl_calls == []


def test_size_rows_and_columns_are_limited() -> None:
    limits = Limits(max_bytes=1000, max_rows=3, max_columns=4)
    with pytest.raises(SheetError, match="larger than"):
        read_sheet(b"a\n" * 600, "x.csv", limits=limits)
    with pytest.raises(SheetError, match="more than 3 rows"):
        read_sheet(b"a\n1\n2\n3\n4\n", "x.csv", limits=limits)
    with pytest.raises(SheetError, match="more than 4 columns"):
        read_sheet(b"a;b;c;d;e\n", "x.csv", limits=limits)
    with pytest.raises(SheetError, match="more than 3 rows"):
        read_sheet(xlsx([["a"], [1], [2], [3], [4]]), "x.xlsx",
                   limits=Limits(max_rows=3, max_columns=4))
    assert len(read_sheet(b"a\n1\n2\n3\n", "x.csv", limits=limits).rows) == 3


def test_empty_file() -> None:
    with pytest.raises(SheetError, match="empty"):
        read_sheet(b"", "x.csv")


# --- single values ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["13243700158505", "132 437 001 58505", "35600000000048"])
def test_valid_sirets(value: str) -> None:
    assert checks.siret(value, 14) == value.replace(" ", "")


@pytest.mark.parametrize(("value", "reason"), [
    ("13243700158506", "check digit"), ("1324370015850", "14 digits"), ("ABC", "14 digits")])
def test_invalid_sirets(value: str, reason: str) -> None:
    with pytest.raises(checks.Invalid) as refused:
        checks.siret(value, 14)
    assert reason in refused.value.message


@pytest.mark.parametrize(("value", "sector"), [
    ("it_internet_ecommerce", "it_internet_ecommerce"), ("62.01Z", "it_internet_ecommerce"),
    ("6201z", "it_internet_ecommerce"), ("Audit, conseil et formation",
                                         "audit_consulting_training"),
    ("audit, consulting and training", "audit_consulting_training"), ("01.11Z", "other")])
def test_sectors_from_slug_label_or_naf(value: str, sector: str) -> None:
    assert checks.sector(value, 40) == sector


@pytest.mark.parametrize(("value", "day"), [
    ("01/03/2024", dt.date(2024, 3, 1)), ("1/3/2024", dt.date(2024, 3, 1)),
    ("2024-03-01", dt.date(2024, 3, 1)), ("01.03.2024", dt.date(2024, 3, 1)),
    (dt.date(2024, 3, 1), dt.date(2024, 3, 1))])
def test_dates_french_or_iso(value: str | dt.date, day: dt.date) -> None:
    assert checks.day(value, 10) == day


@pytest.mark.parametrize("value", ["31/02/2024", "03/01/24", "2024/03/01", "mars 2024"])
def test_bad_dates(value: str) -> None:
    with pytest.raises(checks.Invalid):
        checks.day(value, 10)


@pytest.mark.parametrize(("check", "good", "bad"), [
    ("email", "a.b+c@example.org", "a@b"), ("commune", "L'Isle-Jourdain", "=1+1"),
    ("member_status", "Installée", "maybe"), ("inquiry_status", "indépendant", "boss"),
    ("country", "be", "BEL"), ("department", "2a", "20"), ("naf", "62.01z", "62.1Z"),
    ("phone", "+33 5 62 00 00 00", "call me"), ("stage", "Contacted", "a stage")])
def test_value_checks(check: str, good: str, bad: str) -> None:
    checks.CHECKS[check](good, 100)
    with pytest.raises(checks.Invalid):
        checks.CHECKS[check](bad, 100)


# --- mapping ---------------------------------------------------------------------------------


def test_headers_match_fields_in_french_and_english_whatever_the_case_and_accents() -> None:
    headers = ["NOM", "prénom", "E-mail", "Code APE", "Secteur d'activité", "Date d’arrivée",
               "Pays", "Remarque inconnue", "nom"]
    assert auto_mapping(Kind.MEMBERS, headers) == [
        "last_name", "first_name", "email", "naf_code", "sector", "arrival_date",
        "origin_country", IGNORE, IGNORE]  # a field goes to the first column naming it
    assert normalise("  Date d’ARRIVÉE ") == "date d arrivee"


def test_a_mapping_must_give_the_required_fields_once() -> None:
    with pytest.raises(MappingInvalid) as refused:
        check_mapping(Kind.MEMBERS, ["A", "B", "C"], ["last_name", "last_name", "bogus"])
    messages = [problem.message for problem in refused.value.problems]
    assert any("both mapped" in m for m in messages)
    assert any("unknown field" in m for m in messages)
    assert any("required field" in m for m in messages)
    assert any("sector" in m for m in messages)
    check_mapping(Kind.MEMBERS, ["A", "B", "C", "D"],
                  ["last_name", "first_name", "siret", "naf_code"])


def test_blank_rows_before_the_titles_are_skipped() -> None:
    sheet = read_sheet(b"\n;;\nNom;Pr\xc3\xa9nom\nA;B\n", "x.csv")
    assert sheet.headers == ["Nom", "Prénom"] and sheet.rows == [(4, ["A", "B"])]
    workbook = xlsx([[], [None, None], ["Nom", "Prénom"], ["A", "B"]])
    assert read_sheet(workbook, "x.xlsx").rows == [(4, ["A", "B"])]


def test_a_byte_order_mark_before_text_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(SheetError, match="encoding"):
        read_sheet(b"\xef\xbb\xbfNom\nSoul\xe9\n", "x.csv")


def test_the_row_and_size_limits_are_the_instances_settings(french: None) -> None:
    defaults = limits_from(CampagneSettings())
    assert (defaults.max_rows, defaults.max_bytes) == (50_000, 5 * 1024 * 1024)
    limits = limits_from(CampagneSettings(sheet_max_rows=1_000,
                                          max_upload_bytes=5 * 1024 * 1024 // 2))
    rows = "Nom;Prénom;Courriel\n" + "".join(f"N{n};P;p{n}@example.org\n" for n in range(1_000))
    assert len(read_sheet(rows.encode(), "m.csv", limits=limits).rows) == 1_000
    with pytest.raises(SheetError) as too_many:
        read_sheet((rows + "N;P;p@example.org\n").encode(), "m.csv", limits=limits)
    assert too_many.value.setting == "CAMPAGNE_SHEET_MAX_ROWS"
    assert too_many.value.translated() == ("Le fichier a plus de 1\u202f000 lignes\u00a0: "
                                           "découpez-le en fichiers plus petits.")
    with pytest.raises(SheetError) as too_large:
        read_sheet(rows.encode().ljust(limits.max_bytes + 1, b"\n"), "m.csv", limits=limits)
    assert too_large.value.setting == "CAMPAGNE_MAX_UPLOAD_BYTES"
    assert too_large.value.translated() == ("Le fichier dépasse 2,5 Mo\u00a0: découpez-le "
                                            "en fichiers plus petits.")
    token = i18n.current_locale.set("en")
    try:
        assert too_many.value.translated() == ("The file has more than 1,000 rows: split it "
                                               "into smaller files.")
        assert too_large.value.translated() == ("The file is larger than 2.5 MB: split it "
                                                "into smaller files.")
    finally:
        i18n.current_locale.reset(token)


# --- the two XLSX readers ----------------------------------------------------------------------


def with_sheet_xml(data: bytes, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook ``data`` with its first sheet's XML changed by ``change``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as original, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in original.infolist():
            part = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                part = change(part)
            archive.writestr(item.filename, part)
    return buffer.getvalue()


def test_calamine_reads_what_openpyxl_reads() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet["B3"], sheet["C3"], sheet["D3"], sheet["E3"], sheet["F3"] = "Nom", "Arrivée", \
        "SIRET", "Part", "Actif"
    sheet["B4"], sheet["C4"], sheet["D4"] = " Soulé ", dt.date(2024, 3, 1), 13243700158505
    sheet["E4"], sheet["F4"], sheet["G4"] = 2.5, True, dt.time(10, 30)
    sheet["B5"], sheet["C5"], sheet["D5"] = "'=1+1", dt.datetime(2024, 3, 1, 10, 30), "=1/0"
    sheet["B7"], sheet["E7"] = "after a blank row", 0.125
    sheet["B8"], sheet["C8"] = "cached", "=1+1"
    buffer = io.BytesIO()
    workbook.save(buffer)
    # A formula as Excel saves it: with the value it computed.
    data = with_sheet_xml(buffer.getvalue(), lambda xml: xml.replace(
        b'<c r="C8"><f>1+1</f><v /></c>', b'<c r="C8"><f>1+1</f><v>2</v></c>'))
    assert reading.fits_calamine(data)
    with_calamine = reading._read_with_calamine(data, None, reading.LIMITS)
    assert with_calamine == reading._read_with_openpyxl(data, None, reading.LIMITS)
    assert with_calamine.headers[1:] == ["Nom", "Arrivée", "SIRET", "Part", "Actif"]
    assert with_calamine.rows == [
        (4, ["", " Soulé ", dt.date(2024, 3, 1), "13243700158505", "2.5", "1", "10:30:00"]),
        (5, ["", "=1+1", "2024-03-01 10:30:00"]),  # a formula without its value is empty
        (7, ["", "after a blank row", "", "", "0.125"]),
        (8, ["", "cached", "2"])]


def test_cells_far_apart_are_read_row_by_row_not_as_a_rectangle() -> None:
    """calamine would hold every cell between A1 and the far one: gigabytes."""
    def far_apart(row: int, column: int) -> bytes:
        workbook = Workbook()
        workbook.active["A1"] = "Nom"
        workbook.active.cell(row=row, column=column, value="x")
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    wide, long = far_apart(2, 16_384), far_apart(1_048_576, 1)
    assert not reading.fits_calamine(wide) and not reading.fits_calamine(long)
    with pytest.raises(SheetError, match="Line 2 has more than 60 columns"):
        read_sheet(wide, "wide.xlsx")
    with pytest.raises(SheetError, match="more than 50000 rows"):
        read_sheet(long, "long.xlsx")


@pytest.mark.parametrize(("place", "fits"), [
    ('<c r="D5"', True), ('<c r="E5"', False), ('<c r="A6"', False), ('<c r="AA1"', False),
    ('<c r="D10"', False), ('<c r="ZZZZ1"', False), ('<c r="a1"', False),
    ('<c t="n" r="A2"', False), ('<c', False), ('<x:c r="A2"', False)])
def test_only_cells_that_name_their_place_within_the_limits_go_to_calamine(
        place: str, fits: bool) -> None:
    data = with_sheet_xml(xlsx([["Nom"], ["x"]]), lambda xml: xml.replace(
        b'<c r="A2"', place.encode()))
    limits = Limits(max_rows=4, max_columns=4)
    assert reading.fits_calamine(data, limits) is fits
    if fits:
        assert read_sheet(data, "x.xlsx", limits=limits).rows == [(5, ["", "", "", "x"])]
