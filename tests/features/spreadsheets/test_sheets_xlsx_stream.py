"""The workbook written while it is sent: read back by both readers of the import
(openpyxl and python-calamine), its first piece out before any row is read, no character
that XML cannot carry, and styles as the staff expect (bold titles, dates dd/mm/yyyy)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from campagne.features.spreadsheets.xlsx_stream import ROWS_PER_PIECE, xlsx_chunks

TITLES = ["Nom", "Commune", "Arrivée", "Vide", "Nombre"]
ROWS: list[list[Any]] = [
    ["Dupont", " Auch ", dt.date(2024, 6, 1), None, 3],
    ["O'Brien & <fils>", "L'Isle-Jourdain", dt.datetime(2024, 6, 1, 18, 0), None, 2.5],
    ["sans\x01contrôle\x0b", "", dt.date(1999, 12, 31), None, None],
]


def workbook(sheet_name: str, titles: Sequence[str], rows: list[list[Any]]) -> bytes:
    return b"".join(xlsx_chunks(sheet_name, titles, rows))


def test_both_readers_read_what_was_written() -> None:
    data = workbook("Membres", TITLES, ROWS)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Membres"
    assert list(sheet.iter_rows(values_only=True)) == [
        tuple(TITLES),
        ("Dupont", " Auch ", dt.datetime(2024, 6, 1), None, 3),
        ("O'Brien & <fils>", "L'Isle-Jourdain", dt.datetime(2024, 6, 1, 18, 0), None, 2.5),
        ("sanscontrôle", None, dt.datetime(1999, 12, 31), None, None),
    ]
    assert [cell.font.b for cell in sheet[1]] == [True] * len(TITLES)
    assert not sheet["A2"].font.b and sheet["C2"].number_format == "DD/MM/YYYY"
    other = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert other.sheet_names == ["Membres"]
    assert other.get_sheet_by_index(0).to_python()[1:] == [
        ["Dupont", " Auch ", dt.date(2024, 6, 1), "", 3.0],
        ["O'Brien & <fils>", "L'Isle-Jourdain", dt.datetime(2024, 6, 1, 18, 0), "", 2.5],
        ["sanscontrôle", "", dt.date(1999, 12, 31), "", ""],
    ]


def test_the_first_piece_leaves_before_any_row_is_read() -> None:
    read: list[int] = []

    def rows() -> Iterator[list[Any]]:
        for number in itertools.count():
            read.append(number)
            yield [f"membre {number}", dt.date(2024, 1, 1) + dt.timedelta(days=number % 700)]

    pieces = xlsx_chunks("Membres", ["Nom", "Arrivée"], rows())
    first = next(pieces)
    assert first.startswith(b"PK\x03\x04") and read == []
    for _ in range(3):  # then pieces come while rows are read, never all of them first
        next(pieces)
    assert ROWS_PER_PIECE <= len(read) < 100 * ROWS_PER_PIECE
    pieces.close()


def test_a_large_sheet_comes_in_many_pieces_and_reads_whole() -> None:
    count = 20 * ROWS_PER_PIECE
    rows = ([f"Prénom{n}", f"membre{n}@example.org", dt.date(2020, 1, 1)] for n in range(count))
    pieces = list(xlsx_chunks("Membres", ["Prénom", "Adresse", "Arrivée"], rows))
    assert len(pieces) > 3
    table = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(pieces))) \
        .get_sheet_by_index(0).to_python()
    assert len(table) == count + 1 and table[-1][:2] == [f"Prénom{count - 1}",
                                                         f"membre{count - 1}@example.org"]


@pytest.mark.parametrize(("given", "named"), [
    ("Membres: [2026]", "Membres   2026 "),
    ("Un nom de feuille bien trop long pour Excel", "Un nom de feuille bien trop lon"),
    ("", "Sheet1"),
])
def test_the_sheet_name_is_one_excel_accepts(given: str, named: str) -> None:
    assert load_workbook(io.BytesIO(workbook(given, ["a"], []))).active.title == named
