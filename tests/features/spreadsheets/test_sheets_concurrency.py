"""Two imports of one file at the same moment, on SQLite and PostgreSQL: its rows are written
once, whatever the timing. The second import waits for the region's import lock, then finds
the first one's records and changes nothing; it gives up, writing nothing, when the lock is
kept too long; a person another writer adds meanwhile stops the import (the unique indexes).

Timing never decides a result: the first import is held, rows flushed but not committed,
until the second one reports that it waits for the lock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sheets_kit import DATA
from sqlmodel import Session, col, select

from campagne.db import session_scope
from campagne.features.spreadsheets import import_lock, importer
from campagne.features.spreadsheets.fields import Kind, auto_mapping
from campagne.features.spreadsheets.import_lock import ImportBusy, hold_import_lock
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
FILES = {"members": ("members.csv", 5), "inquiries": ("inquiries.csv", 2)}
PATIENCE = 120  # seconds: only a broken lock makes a test wait that long, and then fail


def importing(instance: Instance, kind: str, **options: Any) -> Report:
    """Import the sample file of ``kind`` into the Gers in one transaction, committed when
    written, as the pages and the command line do."""
    name, _rows = FILES[kind]
    parsed = read_sheet((DATA / name).read_bytes(), name)
    with session_scope(instance.engine) as session:
        gers = region_by_slug(session, "gers")
        assert gers is not None
        return run_import(session, gers, Kind(kind), parsed,
                          auto_mapping(Kind(kind), parsed.headers), **options)


def people(instance: Instance, kind: str) -> list[str | None]:
    """The e-mail addresses of the records of ``kind``, sorted."""
    table = Member if kind == "members" else Inquiry
    with Session(instance.engine) as session:
        return sorted((row.email or "").lower() for row in session.exec(select(table)))


def in_threads(*work: Callable[[], None]) -> None:
    """Run each function in a thread of its own; re-raise the first failure."""
    failures: list[BaseException] = []

    def guarded(function: Callable[[], None]) -> None:
        try:
            function()
        except BaseException as error:  # noqa: BLE001 - handed to the test's thread
            failures.append(error)

    threads = [threading.Thread(target=guarded, args=(function,)) for function in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE)
        assert not thread.is_alive(), "an import never ended"
    if failures:
        raise failures[0]


@pytest.mark.parametrize("kind", FILES)
def test_the_second_import_waits_then_changes_nothing(instance: Instance, kind: str) -> None:
    rows = FILES[kind][1]
    first_flushed, second_waits = threading.Event(), threading.Event()
    reports: dict[str, Report] = {}

    def hold(done: int, total: int) -> None:  # rows flushed, the transaction still open
        first_flushed.set()
        assert second_waits.wait(PATIENCE), "the second import did not wait for the lock"

    def first() -> None:
        reports["first"] = importing(instance, kind, progress=hold)

    def second() -> None:
        assert first_flushed.wait(PATIENCE)
        reports["second"] = importing(instance, kind, waiting=second_waits.set)

    in_threads(first, second)
    assert (reports["first"].created, reports["first"].unchanged) == (rows, 0)
    assert (reports["second"].created, reports["second"].unchanged) == (0, rows)
    assert reports["second"].written
    assert len(people(instance, kind)) == rows


def test_imports_started_together_write_the_rows_once(instance: Instance) -> None:
    start = threading.Barrier(3)
    reports: list[Report] = []

    def together() -> None:
        start.wait(PATIENCE)
        reports.append(importing(instance, "members"))

    in_threads(together, together, together)
    assert sorted(report.created for report in reports) == [0, 0, 5]
    assert len(people(instance, "members")) == 5


def test_an_import_gives_up_when_the_lock_is_kept(instance: Instance,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_lock, "WAIT_SECONDS", 0.0)
    waited: list[bool] = []
    with Session(instance.engine) as other:  # another import of the region, not ended
        gers = region_by_slug(other, "gers")
        assert gers is not None and gers.id is not None
        hold_import_lock(other, gers.id)
        with pytest.raises(ImportBusy):
            importing(instance, "members", waiting=lambda: waited.append(True))
        report = importing(instance, "members", dry_run=True)  # a preview never waits
        assert report.created == 5 and not report.written
        other.rollback()
    assert waited == [True] and people(instance, "members") == []
    assert importing(instance, "members").created == 5


def test_a_person_added_meanwhile_stops_the_import(instance: Instance,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    plan = importer.plan

    def someone_adds_a_person(session: Session, region_id: int, *args: Any) -> Any:
        planned = plan(session, region_id, *args)  # matched: the address was nobody's yet
        session.add(Member(region_id=region_id, first_name="Éric", last_name="Garros",
                           email="Eric.Garros@example.org", sector_slug="other"))
        session.flush()
        return planned

    monkeypatch.setattr(importer, "plan", someone_adds_a_person)
    with pytest.raises(ImportConflict):
        importing(instance, "members")
    assert people(instance, "members") == []
    with Session(instance.engine) as session:
        assert session.exec(select(Member).where(col(Member.email).is_not(None))).all() == []
