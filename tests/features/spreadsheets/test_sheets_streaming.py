"""Streamed exports (SQLite and PostgreSQL): the CSV sent in pieces is byte for byte the file
the in-memory export wrote (header, BOM, formula protection, order, filters); records are
read by batches up to the last id counted; a failure after the first bytes ends the transfer
broken and logged, never like a complete file (and ``campagne export -o`` leaves the target
as it was); the XLSX export still answers whole."""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import io
import logging
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from accounts_kit import World, sign_in_afresh
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook
from sqlalchemy import text
from sqlmodel import Session, col, select

from campagne.app import create_app
from campagne.auth.models import AuditEvent
from campagne.cli import main
from campagne.features.spreadsheets import exporter
from campagne.features.spreadsheets.exporter import (
    MemberFilter,
    count_and_last,
    csv_chunks,
    headers,
    member_selection,
    read_rows,
)
from campagne.features.spreadsheets.fields import FIELDS, Kind
from campagne.models import Member, Region
from campagne.testing import served

API = "/api/v1/regions/gers"


def in_memory_csv(w: World, **criteria: Any) -> bytes:
    """The members' CSV as the export wrote it before it was streamed: every record loaded,
    the whole file built in memory, then encoded (the reference the stream must equal)."""
    with Session(w.instance.engine) as session:
        query = (select(Member).join(Region, col(Region.id) == col(Member.region_id))
                 .where(Region.slug == "gers"))
        for name, value in criteria.items():
            query = query.where(getattr(Member, name) == value)
        members = session.exec(query.order_by(col(Member.id).desc())).all()
        rows = [[getattr(member, spec.column) for spec in FIELDS[Kind.MEMBERS]]
                for member in members]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([exporter.escape(title) for title in headers(Kind.MEMBERS)])
    for values in rows:
        writer.writerow(["" if value is None else value.isoformat()
                         if isinstance(value, dt.date) else exporter.escape(str(value))
                         for value in values])
    return buffer.getvalue().encode("utf-8-sig")


def add_formula_member(w: World) -> None:
    """A member whose texts a spreadsheet would run as formulas."""
    with Session(w.instance.engine) as session:
        gers = session.exec(select(Region).where(Region.slug == "gers")).one()
        assert gers.id is not None
        session.add(Member(region_id=gers.id, first_name="@SUM(A1)", last_name="-2+3",
                           email="formula@example.org", phone="+33 5 62 00 00 00",
                           business_name='=HYPERLINK("http://evil.example","x")',
                           commune="Auch", sector_slug="other", status="settled",
                           arrival_date=dt.date(2024, 3, 1)))
        session.commit()


def test_the_streamed_csv_is_the_in_memory_file_byte_for_byte(
        w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    add_formula_member(w)
    monkeypatch.setattr(exporter, "BATCH_ROWS", 7)  # many batches, one short last one
    monkeypatch.setattr(exporter, "CHUNK_ROWS", 5)
    expected = in_memory_csv(w)
    assert expected.count(b"\r\n") > 100
    assert b"\r\n'-2+3;'@SUM(A1);formula@example.org;'+33 5" in expected
    assert b'"\'=HYPERLINK(""http://evil.example"",""x"")"' in expected
    assert b"2024-03-01" in expected

    answer = w.client.get(f"{API}/members/export/csv", headers=w.headers("staff_gers"))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"].startswith(
        'attachment; filename="gers-members-')
    assert answer.content == expected

    settled = w.client.get(f"{API}/members/export/csv?status=settled",
                           headers=w.headers("staff_gers"))
    assert settled.content == in_memory_csv(w, status="settled")
    csrf = sign_in_afresh(w.client)
    page = w.client.post("/gers/staff/export/members",
                         data={"csrf": csrf, "format": "csv", "status": "settled"})
    assert page.content == settled.content


def test_records_are_read_by_batches_up_to_the_last_id_counted(w: World) -> None:
    with Session(w.instance.engine) as session:
        selection = member_selection("gers", MemberFilter())
        count, last_id = count_and_last(session, selection)
    rows = read_rows(w.instance.engine, selection, last_id, batch=3)
    assert inspect.isgenerator(rows)  # nothing is read until it is asked for
    first = next(rows)
    add_formula_member(w)  # added during the export: after the last id counted
    read = [first, *rows]
    assert len(read) == count > 3
    assert read == list(read_rows(w.instance.engine, selection, last_id))
    assert ["formula@example.org" not in row for row in read] == [True] * count
    with Session(w.instance.engine) as session:
        assert count_and_last(session, selection)[0] == count + 1


def test_the_csv_header_goes_before_any_record_is_read() -> None:
    def unreadable() -> Iterator[Sequence[Any]]:
        raise RuntimeError("no record can be read")
        yield []

    chunks = csv_chunks(["Nom", "=Prénom"], unreadable())
    assert next(chunks) == "\ufeffNom;'=Prénom\r\n".encode()
    with pytest.raises(RuntimeError):
        next(chunks)


def spoil_oldest_member(w: World) -> None:
    """Give the Gers member exported last an arrival date no driver can read (year 10000):
    the export fails after its first pieces are sent."""
    with Session(w.instance.engine) as session:
        oldest = session.exec(select(Member.id).join(Region).where(Region.slug == "gers")
                              .order_by(col(Member.id))).first()
        session.execute(text("UPDATE member SET arrival_date = '10000-01-01' WHERE id = :id"),
                        {"id": oldest})
        session.commit()


def test_a_failure_while_sending_breaks_the_transfer(
        w: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(exporter, "BATCH_ROWS", 50)
    monkeypatch.setattr(exporter, "CHUNK_ROWS", 10)
    spoil_oldest_member(w)
    auth = w.headers("staff_gers")
    received = bytearray()
    with served(create_app(w.instance), "export-server") as url, \
            httpx.Client(base_url=url, headers=auth, timeout=30) as client:
        with caplog.at_level(logging.ERROR, "campagne.spreadsheets"), \
                client.stream("GET", f"{API}/members/export/csv") as answer:
            assert answer.status_code == 200  # sent before the failure
            with pytest.raises(httpx.RemoteProtocolError, match="incomplete chunked read"):
                for piece in answer.iter_bytes():
                    received += piece
        workbook = bytearray()
        with client.stream("GET", f"{API}/members/export/xlsx") as answer:
            assert answer.status_code == 200  # a workbook is sent as it is written too
            with pytest.raises(httpx.RemoteProtocolError, match="incomplete chunked read"):
                for piece in answer.iter_bytes():
                    workbook += piece
    assert received.startswith(b"\xef\xbb\xbf") and received.count(b"\r\n") > 50
    assert sum("broken off" in record.getMessage() and record.exc_info is not None
               for record in caplog.records) == 2
    assert workbook.startswith(b"PK\x03\x04")  # the archive's start, never its end
    with pytest.raises(zipfile.BadZipFile):
        load_workbook(io.BytesIO(bytes(workbook)))


def test_the_xlsx_export_is_whole_and_formula_free(w: World) -> None:
    add_formula_member(w)
    answer = w.client.get(f"{API}/members/export/xlsx", headers=w.headers("staff_gers"))
    assert "content-length" not in answer.headers  # sent as it was written
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == in_memory_csv(w).count(b"\r\n")
    evil = next(row for row in rows if row[2] == "formula@example.org")
    assert evil[4] == "'=HYPERLINK(\"http://evil.example\",\"x\")"
    # The other reader of the import, python-calamine, reads the same values.
    other = CalamineWorkbook.from_filelike(io.BytesIO(answer.content))
    assert len(other.get_sheet_by_index(0).to_python()) == len(rows)


def test_a_command_line_export_that_fails_leaves_the_file_as_it_was(
        w: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exporter, "BATCH_ROWS", 50)
    folder = tmp_path / "exports"
    folder.mkdir()
    output = folder / "membres.csv"
    output.write_bytes(b"old content\n")
    command = ["export", "members", "--region", "gers", "--format", "csv", "-o", str(output),
               "--db", w.instance.settings.database_url]
    assert main(command) == 0
    written = output.read_bytes()
    assert written.startswith(b"\xef\xbb\xbfNom;") and written.count(b"\r\n") > 100
    spoil_oldest_member(w)
    try:
        failed: int | None = main(command)  # PostgreSQL's DataError: "database error"
    except ValueError as exc:  # SQLite's date reader
        assert "10000-01-01" in str(exc)
        failed = None
    assert failed != 0
    assert output.read_bytes() == written  # the earlier file, whole
    assert [path.name for path in folder.iterdir()] == ["membres.csv"]  # no part left
    with Session(w.instance.engine) as session:
        exported = session.exec(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert len(exported) == 1
