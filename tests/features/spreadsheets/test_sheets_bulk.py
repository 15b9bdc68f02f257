"""Imports written with bulk statements, on SQLite and PostgreSQL (``COPY`` there): files of
several batches; rows changing different fields in one import, each record getting only its
own changes; a blank cell of a mapped column keeping the table's default; imported inquiries
with their source, stage and empty answers; a record saved by someone else between the
matching and the writing stops the whole import, whichever batch it is in."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from campagne.db import session_scope
from campagne.features.spreadsheets import importer
from campagne.features.spreadsheets.checks import luhn_valid
from campagne.features.spreadsheets.fields import Kind, auto_mapping
from campagne.features.spreadsheets.importer import (
    ImportConflict,
    Report,
    region_by_slug,
    run_import,
)
from campagne.features.spreadsheets.reading import read_sheet
from campagne.instance import Instance
from campagne.models import Member
from campagne.operations.models import Inquiry

pytestmark = pytest.mark.usefixtures("english")  # reports in English
HEADERS = ["Nom", "Prénom", "Courriel", "Téléphone", "SIRET", "Code NAF", "Commune", "Pays",
           "Statut"]
ROWS = 1_200
BATCH = 500  # three batches, the last one partly filled


def siret(n: int) -> str:
    """A valid SIRET numbered ``n``."""
    stem = f"{100_000_000 + n:09d}0001"
    return next(stem + digit for digit in "0123456789" if luhn_valid(stem + digit))


def member_row(n: int) -> dict[str, str]:
    """Row ``n`` of a members' file: one in three without a SIRET, one in four without a
    country (the table's default is kept), one in five without a status."""
    return {"Nom": f"Nom{n}", "Prénom": f"Prénom{n}", "Courriel": f"membre{n}@example.org",
            "Téléphone": f"05 62 00 {n % 100:02d} 00", "SIRET": siret(n) if n % 3 else "",
            "Code NAF": "62.01Z", "Commune": "Auch", "Pays": "" if n % 4 == 0 else "BE",
            "Statut": "" if n % 5 == 0 else "installé"}


def as_csv(rows: list[dict[str, str]], headers: list[str] = HEADERS) -> bytes:
    """A CSV file of ``rows``, as French spreadsheets save it."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=headers, delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def run(instance: Instance, data: bytes, kind: str = "members", **options: Any) -> Report:
    """Import ``data`` into the Gers in one transaction, committed when written."""
    parsed = read_sheet(data, "file.csv")
    with session_scope(instance.engine) as session:
        gers = region_by_slug(session, "gers")
        assert gers is not None
        return run_import(session, gers, Kind(kind), parsed,
                          auto_mapping(Kind(kind), parsed.headers), batch=BATCH, **options)


def by_email(instance: Instance) -> dict[str, dict[str, Any]]:
    """Every member, every column, by e-mail address."""
    with Session(instance.engine) as session:
        return {m.email or "": m.model_dump() for m in session.exec(select(Member))}


def test_rows_changing_different_fields_each_get_their_own_changes(instance: Instance) -> None:
    rows = [member_row(n) for n in range(ROWS)]
    first = run(instance, as_csv(rows))
    assert (first.created, first.updated, first.unchanged) == (ROWS, 0, 0)
    before = by_email(instance)
    assert len(before) == ROWS
    rows[10]["Commune"] = "Fleurance"  # first batch
    rows[600]["Téléphone"] = "06 00 00 00 00"  # second batch
    rows[1100].update(Commune="Condom", Statut="parti")  # third batch
    rows[1101]["Courriel"] = "MEMBRE1101@EXAMPLE.ORG"  # the same address
    again = run(instance, as_csv(rows))
    assert (again.created, again.updated, again.unchanged) == (0, 3, ROWS - 3)
    assert dict(again.changed_fields) == {"commune": 2, "phone": 1, "status": 1}
    after = by_email(instance)
    expected = {"membre10@example.org": {"commune": "Fleurance"},
                "membre600@example.org": {"phone": "06 00 00 00 00"},
                "membre1100@example.org": {"commune": "Condom", "status": "left"}}
    for email, record in after.items():
        if email not in expected:
            assert record == before[email]  # version and updated_at included
            continue
        old = before[email]
        assert {k: v for k, v in record.items() if record[k] != old[k]}.keys() == {
            *expected[email], "version", "updated_at"}
        assert {k: record[k] for k in expected[email]} == expected[email]
        assert record["version"] == old["version"] + 1


def test_blank_cells_keep_the_defaults_and_every_value_is_written(instance: Instance) -> None:
    run(instance, as_csv([member_row(n) for n in range(ROWS)]))
    members = by_email(instance)
    for n in (0, 1, 2, 3, 4, 5, ROWS - 1):
        member = members[f"membre{n}@example.org"]
        assert member["origin_country"] == ("FR" if n % 4 == 0 else "BE")
        assert member["status"] == ("settling" if n % 5 == 0 else "settled")
        assert member["siret"] == (siret(n) if n % 3 else None)
        assert (member["first_name"], member["last_name"], member["naf_code"],
                member["sector_slug"], member["commune"], member["version"],
                member["synthetic"]) == (f"Prénom{n}", f"Nom{n}", "62.01Z",
                                         "it_internet_ecommerce", "Auch", 1, False)
        assert member["created_at"] == member["updated_at"]
        assert member["created_at"].tzinfo is not None


def test_imported_inquiries_have_their_source_stage_and_empty_answers(
        instance: Instance) -> None:
    headers = ["Nom", "Prénom", "E-mail", "Étape"]
    rows = [{"Nom": f"Nom{n}", "Prénom": "P", "E-mail": f"demande{n}@example.org",
             "Étape": "contacted" if n % 2 else ""} for n in range(ROWS)]
    assert run(instance, as_csv(rows, headers), "inquiries").created == ROWS
    with Session(instance.engine) as session:
        first = session.exec(select(Inquiry).where(Inquiry.email == "demande0@example.org")).one()
        second = session.exec(select(Inquiry).where(Inquiry.email == "demande1@example.org")
                              ).one()
    assert (first.source, first.stage, first.answers, first.profile) == ("import", "new", {}, {})
    assert second.stage == "contacted" and second.stage_changed_at == second.created_at
    rows[0]["Étape"] = "visit"
    changed = run(instance, as_csv(rows, headers), "inquiries")
    assert (changed.updated, changed.unchanged) == (1, ROWS - 1)
    with Session(instance.engine) as session:
        moved = session.exec(select(Inquiry).where(Inquiry.email == "demande0@example.org")).one()
    assert moved.stage == "visit" and moved.version == 2
    assert moved.stage_changed_at == moved.updated_at > moved.created_at


@pytest.mark.parametrize("saved", [10, 1100], ids=["first batch", "last batch"])
def test_a_record_saved_meanwhile_stops_the_whole_import(
        instance: Instance, monkeypatch: pytest.MonkeyPatch, saved: int) -> None:
    rows = [member_row(n) for n in range(ROWS)]
    run(instance, as_csv(rows))
    for row in rows:
        row["Commune"] = "Fleurance"
    rows += [member_row(n) for n in range(ROWS, ROWS + 50)]  # and new people
    before = by_email(instance)
    plan: Callable[..., Any] = importer.plan

    def someone_saves_a_record(session: Session, *args: Any) -> Any:
        planned = plan(session, *args)  # matched at version 1
        session.execute(update(Member).where(col(Member.email) == f"membre{saved}@example.org")
                        .values(phone="07 00 00 00 00", version=Member.version + 1))
        return planned

    monkeypatch.setattr(importer, "plan", someone_saves_a_record)
    with pytest.raises(ImportConflict):
        run(instance, as_csv(rows))
    assert by_email(instance) == before


def test_an_import_of_several_batches_reports_its_progress(instance: Instance) -> None:
    seen: list[tuple[int, int]] = []
    run(instance, as_csv([member_row(n) for n in range(ROWS)]),
        progress=lambda done, total: seen.append((done, total)))
    assert seen == [(500, ROWS), (1000, ROWS), (ROWS, ROWS)]
    with Session(instance.engine) as session:
        assert len(session.exec(select(Member.id)).all()) == ROWS
