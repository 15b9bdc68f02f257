"""Writing the valid rows of a file: all or nothing, idempotent.

Every row is checked and matched first; if one is refused, nothing is written. Otherwise the
rows are written in the caller's transaction (flushed in batches, committed by the caller
once), so an error or an interruption at any point leaves the database as it was. A row
matches a record of the same region by e-mail (without case) or SIRET; a matching row
changes only the fields whose value differs (the version is raised, ``updated_at`` set), an
identical row changes nothing.

A written import takes its region's import lock before it matches
(:mod:`.import_lock`), so two imports of one file, at any moment, create its
rows once; the database's unique indexes (:mod:`campagne.uniqueness`) refuse what another
writer added meanwhile, and the import then writes nothing (:class:`ImportConflict`)."""

from __future__ import annotations

import datetime as dt
import getpass
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from campagne.auth import audit
from campagne.auth.models import AuditEvent, UserAccount
from campagne.features.spreadsheets.fields import FIELDS, Kind
from campagne.features.spreadsheets.import_lock import hold_import_lock
from campagne.features.spreadsheets.reading import Sheet
from campagne.features.spreadsheets.validation import Problem, ValidRow, validate_rows
from campagne.i18n import gettext, ngettext
from campagne.i18n_markers import N_
from campagne.models import Member, Region, utc_now
from campagne.operations.models import Inquiry, InquirySource
from campagne.uniqueness import duplicate_of

Record = Member | Inquiry
Progress = Callable[[int, int], None]
BATCH = 500
COMMAND_LINE = "command line"


class ImportConflict(Exception):
    """A record changed while the import was writing (someone else saved it, or added a
    person the import was adding)."""


@dataclass
class Report:
    """What an import did (or would do, on a dry run)."""

    kind: Kind
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    changed_fields: Counter[str] = field(default_factory=Counter)
    dry_run: bool = False
    written: bool = False

    @property
    def rejected_lines(self) -> list[int]:
        """The line numbers of the rejected rows, in order."""
        return sorted({problem.line for problem in self.problems if problem.line})

    @property
    def ok(self) -> bool:
        """No row was refused."""
        return not self.problems

    def summary(self) -> str:
        """One sentence, in the current language, saying what the import did, would do, or
        why it wrote nothing."""
        if self.problems:
            count = len(self.rejected_lines)
            return ngettext("%(num)s row rejected: nothing was imported.",
                            "%(num)s rows rejected: nothing was imported.", count) % {
                "num": count}
        counts = gettext("%(created)s created, %(updated)s updated, %(unchanged)s "
                         "unchanged") % {"created": self.created, "updated": self.updated,
                                         "unchanged": self.unchanged}
        rows = ngettext("%(num)s row read", "%(num)s rows read", self.rows) % {
            "num": self.rows}
        if self.dry_run:
            return gettext("Dry run, nothing written. %(rows)s: %(counts)s.") % {
                "rows": rows, "counts": counts}
        return gettext("%(rows)s: %(counts)s.") % {"rows": rows, "counts": counts}


@dataclass
class _Step:
    row: ValidRow
    record: Record | None
    changes: dict[str, Any]


def run_import(session: Session, region: Region, kind: Kind, sheet: Sheet,
               mapping: Sequence[str], *, dry_run: bool = False,
               progress: Progress | None = None, batch: int = BATCH,
               waiting: Callable[[], None] | None = None) -> Report:
    """Check, match and (unless ``dry_run`` or a row is refused) write the rows of ``sheet``.
    Unless ``dry_run``, the region's import lock is taken first (``waiting`` is called if
    another import holds it; :class:`~.import_lock.ImportBusy` if it keeps
    it too long). The caller commits on success and rolls back on any exception."""
    valid, problems = validate_rows(kind, sheet, mapping)
    report = Report(kind=kind, rows=len(sheet.rows), dry_run=dry_run)
    if not dry_run:
        assert region.id is not None
        hold_import_lock(session, region.id, waiting=waiting)
    steps, match_problems = _plan(session, region, kind, valid)
    report.problems = sorted(problems + match_problems, key=lambda p: p.line)
    for step in steps:
        if step.record is None:
            report.created += 1
        elif step.changes:
            report.updated += 1
            report.changed_fields.update(step.changes.keys())
        else:
            report.unchanged += 1
    if report.problems or dry_run:
        return report
    try:
        _write(session, region, kind, steps, progress, batch)
    except IntegrityError as error:
        if duplicate_of(error) is None:
            raise
        raise ImportConflict from error
    report.written = True
    return report


def _existing(session: Session, region: Region, kind: Kind) -> list[Record]:
    """The region's records as the database holds them now (read after the lock)."""
    fresh = {"populate_existing": True}
    if kind is Kind.MEMBERS:
        return list(session.exec(select(Member).where(Member.region_id == region.id)
                                 .execution_options(**fresh)).all())
    return list(session.exec(select(Inquiry).where(Inquiry.region_id == region.id)
                             .execution_options(**fresh)).all())


def _plan(session: Session, region: Region, kind: Kind, rows: list[ValidRow]
          ) -> tuple[list[_Step], list[Problem]]:
    """Match every row with a record of the region and find what would change."""
    by_email: dict[str, Record] = {}
    by_siret: dict[str, Record] = {}
    for existing in _existing(session, region, kind):
        if existing.email:
            by_email.setdefault(existing.email.casefold(), existing)
        siret = getattr(existing, "siret", None)
        if siret:
            by_siret.setdefault(siret, existing)
    steps, problems = [], []
    claimed: dict[int, int] = {}
    for row in rows:
        email = row.values.get("email")
        found = [by_email.get(email.casefold()) if email else None,
                 by_siret.get(row.values.get("siret") or "")]
        matches = {id(r): r for r in found if r is not None}
        if len(matches) > 1:
            problems.append(Problem(row.line, "", N_("the e-mail matches one record and the "
                                                     "SIRET another")))
            continue
        record = next(iter(matches.values()), None)
        if record is not None and record.id is not None:
            if record.id in claimed:
                problems.append(Problem(row.line, "", N_("matches the same record as line "
                                                         "%(other)s"),
                                        {"other": claimed[record.id]}))
                continue
            claimed[record.id] = row.line
        changes = _changes(kind, record, row.values) if record is not None else row.values
        steps.append(_Step(row, record, changes))
    return steps, problems


def _changes(kind: Kind, record: Record, values: dict[str, Any]) -> dict[str, Any]:
    """The values of the row that differ from the record's (an e-mail differing only in
    case is the same address)."""
    specs = {spec.key: spec for spec in FIELDS[kind]}
    changed = {}
    for key, value in values.items():
        current = getattr(record, specs[key].column)
        if key == "email" and isinstance(current, str) and current.casefold() == value.casefold():
            continue
        if current != value:
            changed[key] = value
    return changed


def _write(session: Session, region: Region, kind: Kind, steps: list[_Step],
           progress: Progress | None, batch: int) -> None:
    specs = {spec.key: spec for spec in FIELDS[kind]}
    table: type[Member] | type[Inquiry] = Member if kind is Kind.MEMBERS else Inquiry
    now = utc_now()
    assert region.id is not None
    new: list[dict[str, Any]] = []
    for done, step in enumerate(steps, start=1):
        columns = {specs[key].column: value for key, value in step.changes.items()}
        if step.record is None:  # with the table's defaults, inserted many at a time
            new.append(_new_row(kind, region.id, columns, now))
        elif columns:
            _update(session, table, step.record, columns, now)
        if done % batch == 0 or done == len(steps):
            if new:
                session.execute(insert(table), new)
                new = []
            session.flush()
            if progress is not None:
                progress(done, len(steps))


def _new_row(kind: Kind, region_id: int, columns: dict[str, Any], now: dt.datetime
             ) -> dict[str, Any]:
    """The values of a new record with the table's defaults (building the model object of
    each row costs more than inserting it)."""
    table: type[Member] | type[Inquiry] = Member if kind is Kind.MEMBERS else Inquiry
    row = {name: field.get_default(call_default_factory=True)
           for name, field in table.model_fields.items()
           if name != "id" and not field.is_required()}
    row.update(region_id=region_id, created_at=now, updated_at=now, **columns)
    if kind is Kind.INQUIRIES:
        row.update(source=InquirySource.IMPORT.value, stage_changed_at=now)
    return row


def _update(session: Session, table: type[Member] | type[Inquiry], record: Record,
            columns: dict[str, Any], now: dt.datetime) -> None:
    """Compare-and-set on the version read, so a concurrent edit is never overwritten."""
    values = {**columns, "version": record.version + 1, "updated_at": now}
    if "stage" in columns:
        values["stage_changed_at"] = now
    result = cast(CursorResult[Any], session.execute(
        update(table).where(col(table.id) == record.id, col(table.version) == record.version)
        .values(**values).execution_options(synchronize_session=False)))
    if result.rowcount != 1:
        raise ImportConflict


def import_rows(session: Session, region: Region, kind: Kind, sheet: Sheet,
                mapping: Sequence[str], *, actor: UserAccount | None, filename: str,
                address: str | None = None, dry_run: bool = False,
                progress: Progress | None = None, waiting: Callable[[], None] | None = None,
                also: Callable[[], None] | None = None) -> Report:
    """Import the rows of ``sheet``: the one use case behind the import page and
    ``campagne import``. The rows are written in one transaction with their audit event
    (and ``also``, the caller's part of it, such as forgetting the uploaded file), then
    committed; nothing at all is written when a row is refused or on a ``dry_run``.
    :class:`~.validation.MappingInvalid`, :class:`ImportConflict` and
    :class:`~.import_lock.ImportBusy` roll back and propagate."""
    assert region.slug is not None
    try:
        report = run_import(session, region, kind, sheet, mapping, dry_run=dry_run,
                            progress=progress, waiting=waiting)
    except BaseException:
        session.rollback()
        raise
    if not report.written:
        session.rollback()
        return report
    record_import(session, actor, region.slug, report, filename=filename, address=address)
    if also is not None:
        also()
    session.commit()
    return report


def record_import(session: Session, actor: UserAccount | None, region_slug: str,
                  report: Report, *, filename: str, address: str | None = None) -> None:
    """The audit event of a written import (in the same transaction as its rows). Without an
    account, the actor is the command line."""
    detail = {"kind": report.kind.value, "file": filename[:120], "rows": report.rows,
              "created": report.created, "updated": report.updated,
              "unchanged": report.unchanged}
    if actor is not None:
        audit.record(session, actor, "import", region_slug=region_slug,
                     target=report.kind.value, address=address, **detail)
        return
    session.add(AuditEvent(actor_email=COMMAND_LINE, action="import", region_slug=region_slug,
                           target=report.kind.value, address=address,
                           detail={**detail, "system_user": system_user()}))


def system_user() -> str:
    """The operating-system account running the command line (for the audit trail)."""
    try:
        return getpass.getuser()[:60]
    except (OSError, KeyError):
        return "?"


def region_by_slug(session: Session, slug: str) -> Region | None:
    """The region row named ``slug``, if any."""
    return session.exec(select(Region).where(Region.slug == slug)).first()
