"""Importing spreadsheets into the database (SQLite and PostgreSQL): one bad row imports
nothing and is named, the corrected file imports, importing it again changes nothing (not even
a version or ``updated_at``); changed rows update only what changed; matching by e-mail
without case or by SIRET, within the region; an exception after rows were flushed leaves the
database exactly as it was."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from sheets_kit import DATA
from sqlmodel import Session, col, select

from campagne import i18n
from campagne.db import session_scope
from campagne.features.spreadsheets.fields import Kind, auto_mapping
from campagne.features.spreadsheets.importer import Report, region_by_slug, run_import
from campagne.features.spreadsheets.reading import read_sheet
from campagne.instance import Instance
from campagne.models import Member
from campagne.operations.models import Inquiry

pytestmark = pytest.mark.usefixtures("english")  # reports in English
SAMPLES = {"csv": ("members_bad.csv", "members.csv", None, 5, 5),
           "xlsx": ("members_bad.xlsx", "members.xlsx", "Membres", 3, 3)}


def run(instance: Instance, kind: str, data: bytes, name: str, *, region: str = "gers",
        sheet: str | None = None, mapping: list[str] | None = None, **options: Any) -> Report:
    """Import ``data`` in one transaction, committed when written (as the pages do)."""
    parsed = read_sheet(data, name, sheet)
    with session_scope(instance.engine) as session:
        row = region_by_slug(session, region)
        assert row is not None
        return run_import(session, row, Kind(kind), parsed,
                          mapping or auto_mapping(Kind(kind), parsed.headers), **options)


def run_file(instance: Instance, name: str, kind: str = "members", **options: Any) -> Report:
    """Import a sample file of tests/features/spreadsheets/data."""
    return run(instance, kind, (DATA / name).read_bytes(), name, **options)


def snapshot(instance: Instance) -> list[dict[str, Any]]:
    """Every member and inquiry, every column."""
    with Session(instance.engine) as session:
        members = session.exec(select(Member).order_by(col(Member.id))).all()
        inquiries = session.exec(select(Inquiry).order_by(col(Inquiry.id))).all()
        return [row.model_dump() for row in [*members, *inquiries]]


def rewrite(name: str, change: dict[tuple[int, str], str]) -> bytes:
    """A sample CSV with some cells changed: ``(row index, header) -> value``."""
    text = (DATA / name).read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    for (index, header), value in change.items():
        rows[index][header] = value
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_one_bad_row_imports_nothing_the_corrected_file_imports_and_again_changes_nothing(
        instance: Instance, file_format: str) -> None:
    bad, good, sheet, bad_line, rows = SAMPLES[file_format]
    refused = run_file(instance, bad, sheet=sheet)
    assert not refused.written and refused.rejected_lines == [bad_line]
    assert refused.summary() == "1 row rejected: nothing was imported."
    described = refused.problems[0].describe()
    assert described.startswith(f"Line {bad_line}, column ")
    assert ("check digit" if file_format == "csv" else "not an e-mail address") in described
    assert snapshot(instance) == []

    first = run_file(instance, good, sheet=sheet)
    assert first.written and (first.created, first.updated, first.unchanged) == (rows, 0, 0)
    imported = snapshot(instance)
    assert len(imported) == rows and all(r["version"] == 1 for r in imported)

    again = run_file(instance, good, sheet=sheet)
    assert (again.created, again.updated, again.unchanged) == (0, 0, rows)
    assert again.summary() == f"{rows} rows read: 0 created, 0 updated, {rows} unchanged."
    assert snapshot(instance) == imported  # versions and updated_at included


def test_the_values_are_normalised(instance: Instance) -> None:
    run_file(instance, "members.csv")
    with Session(instance.engine) as session:
        members = {m.last_name: m for m in session.exec(select(Member))}
    lacoste = members["Lacoste"]
    assert (lacoste.first_name, lacoste.sector_slug, lacoste.naf_code, lacoste.status) == (
        "Amélie", "it_internet_ecommerce", "62.01Z", "settled")
    assert lacoste.arrival_date and lacoste.arrival_date.isoformat() == "2024-03-01"
    assert members["Duprat"].status == "settling"
    assert members["Soulé"].email == "MARTHE.SOULE@example.org"
    assert members["Soulé"].sector_slug == "audit_consulting_training"
    assert members["Fourcade"].origin_country == "FR"  # the table's default


def test_a_changed_row_updates_only_what_changed(instance: Instance) -> None:
    run_file(instance, "members.csv")
    before = {row["last_name"]: row for row in snapshot(instance)}
    changed = rewrite("members.csv", {(0, "Commune"): "Fleurance",
                                      (1, "Téléphone"): "",  # blank: left as it is
                                      (2, "Courriel"): "INES.DUPRAT@EXAMPLE.ORG"})  # same
    report = run(instance, "members", changed, "members.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 4)
    assert dict(report.changed_fields) == {"commune": 1}
    after = {row["last_name"]: row for row in snapshot(instance)}
    lacoste = after["Lacoste"]
    assert lacoste["commune"] == "Fleurance" and lacoste["version"] == 2
    assert lacoste["updated_at"] > before["Lacoste"]["updated_at"]
    assert {k: v for k, v in lacoste.items() if k not in ("commune", "version", "updated_at")} \
        == {k: v for k, v in before["Lacoste"].items()
            if k not in ("commune", "version", "updated_at")}
    assert after["Garros"]["phone"] == "+33 6 00 00 00 02"
    for name in ("Garros", "Duprat", "Fourcade", "Soulé"):
        assert after[name] == before[name]


def test_rows_match_by_email_without_case_or_by_siret(instance: Instance) -> None:
    run_file(instance, "members.csv")
    changed = rewrite("members.csv", {(0, "Courriel"): "AMELIE.LACOSTE@example.ORG",
                                      (1, "Courriel"): "eric@garros.example.org"})
    report = run(instance, "members", changed, "members.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 4)
    with Session(instance.engine) as session:
        garros = session.exec(select(Member).where(Member.last_name == "Garros")).one()
    assert garros.email == "eric@garros.example.org" and garros.version == 2


def test_a_row_matching_two_records_or_twice_the_same_is_rejected(instance: Instance) -> None:
    run_file(instance, "members.csv")
    before = snapshot(instance)
    # Line 2 has Lacoste's e-mail and Garros's SIRET; line 3 Garros's e-mail again.
    mixed = rewrite("members.csv", {(0, "SIRET"): "87590828073433"})
    report = run(instance, "members", mixed, "members.csv")
    reasons = {p.line: p.describe() for p in report.problems}
    assert report.rejected_lines == [2, 3] and not report.written
    assert "matches one record and the SIRET another" in reasons[2]
    assert "same SIRET (siret) as line 2" in reasons[3]
    assert snapshot(instance) == before


def test_records_of_another_region_are_never_matched(instance: Instance) -> None:
    run_file(instance, "members.csv", region="orne")
    orne = snapshot(instance)
    report = run_file(instance, "members.csv", region="gers")
    assert report.created == 5
    assert [row for row in snapshot(instance) if row["id"] in {r["id"] for r in orne}] == orne


def test_a_dry_run_reports_and_writes_nothing(instance: Instance) -> None:
    report = run_file(instance, "members.csv", dry_run=True)
    assert (report.created, report.written) == (5, False)
    assert report.summary().startswith("Dry run, nothing written.")
    assert snapshot(instance) == []


def test_an_exception_after_rows_were_flushed_leaves_the_database_as_it_was(
        instance: Instance) -> None:
    run_file(instance, "members.csv")
    before = snapshot(instance)
    rows = [[f"Nouveau{n}", "Test", f"nouveau{n}@example.org", "", "", "62.01Z", "Auch", "", ""]
            for n in range(6)]
    changed = rewrite("members.csv", {(n, "Commune"): "Fleurance" for n in range(5)})
    data = changed + "\r\n".join(";".join(r) for r in rows).encode() + b"\r\n"
    seen: list[int] = []

    def interrupt(done: int, total: int) -> None:
        with Session(instance.engine) as other:  # another connection sees nothing yet
            assert len(other.exec(select(Member)).all()) == 5
        seen.append(done)
        if len(seen) == 2:
            raise RuntimeError("the server stops here")

    parsed = read_sheet(data, "members.csv")
    with pytest.raises(RuntimeError), session_scope(instance.engine) as session:
        gers = region_by_slug(session, "gers")
        assert gers is not None
        try:
            run_import(session, gers, Kind.MEMBERS, parsed,
                       auto_mapping(Kind.MEMBERS, parsed.headers), progress=interrupt, batch=3)
        finally:  # rows were written to the transaction before the failure
            flushed = session.exec(select(Member).where(Member.commune == "Fleurance")).all()
            assert len(flushed) >= 3
    assert seen == [3, 6]
    assert snapshot(instance) == before


def test_inquiries_from_windows_csv(instance: Instance) -> None:
    report = run_file(instance, "inquiries.csv", kind="inquiries")
    assert (report.created, report.problems) == (2, [])
    with Session(instance.engine) as session:
        found = {i.last_name: i for i in session.exec(select(Inquiry))}
    peyre = found["Peyré"]
    assert (peyre.first_name, peyre.status, peyre.origin_department, peyre.source,
            peyre.stage) == ("Lucie", "independent", "75", "import", "new")
    assert peyre.next_action_on and peyre.next_action_on.isoformat() == "2026-12-05"
    assert found["Noël"].status == "employee_teleworker"
    before = snapshot(instance)
    again = run_file(instance, "inquiries.csv", kind="inquiries")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert snapshot(instance) == before


def test_every_rejected_row_is_reported_in_french(instance: Instance) -> None:
    data = ("Nom;Prénom;Courriel;SIRET;Secteur;Date d'arrivée\n"
            "A;B;pas-un-courriel;;it_internet_ecommerce;\n"
            "C;D;c@example.org;;inconnu;32/01/2024\n"
            ";E;e@example.org;;other;\n"
            "F;G;g@example.org;;other;\n").encode()
    token = i18n.current_locale.set("fr")
    try:
        report = run(instance, "members", data, "m.csv")
        lines = [problem.describe() for problem in report.problems]
    finally:
        i18n.current_locale.reset(token)
    assert report.rejected_lines == [2, 3, 4]
    assert lines == [
        "Ligne 2, colonne «\u00a0Courriel\u00a0»\u00a0: «\u00a0pas-un-courriel\u00a0» n’est "
        "pas une adresse électronique",
        "Ligne 3, colonne «\u00a0Secteur\u00a0»\u00a0: secteur inconnu «\u00a0inconnu\u00a0» "
        "(indiquez un secteur ou un code NAF)",
        "Ligne 3, colonne «\u00a0Date d'arrivée\u00a0»\u00a0: «\u00a032/01/2024\u00a0» n’est "
        "pas une date (jj/mm/aaaa ou aaaa-mm-jj)",
        "Ligne 4\u00a0: Nom (last_name) est obligatoire",
    ]
    assert snapshot(instance) == []
