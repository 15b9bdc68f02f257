"""Importing the rows of a file: all or nothing, idempotent.

Every row is checked (:mod:`.validation`) and matched (:mod:`.matching`) first; if one is
refused, nothing is written. Otherwise the rows are written with bulk statements
(:mod:`.writing`) in the caller's transaction, committed by the caller once, so an error or
an interruption at any point leaves the database as it was. A row matches a record of the
same region by e-mail (without case) or SIRET; a matching row changes only the fields whose
value differs (the version is raised, ``updated_at`` set), an identical row changes nothing.

A written import takes its region's import lock before it matches
(:mod:`.import_lock`), so two imports of one file, at any moment, create its
rows once; the database's unique indexes (:mod:`campagne.uniqueness`) refuse what another
writer added meanwhile, and the import then writes nothing (:class:`ImportConflict`)."""

from __future__ import annotations

import getpass
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from campagne.auth import audit
from campagne.auth.models import AuditEvent, UserAccount
from campagne.features.spreadsheets.fields import Kind
from campagne.features.spreadsheets.import_lock import hold_import_lock
from campagne.features.spreadsheets.matching import plan
from campagne.features.spreadsheets.reading import Sheet
from campagne.features.spreadsheets.validation import Problem, validate_rows
from campagne.features.spreadsheets.writing import BATCH, ImportConflict, Progress, write_steps
from campagne.i18n import gettext, ngettext
from campagne.models import Region, utc_now
from campagne.uniqueness import duplicate_of

__all__ = ["BATCH", "COMMAND_LINE", "ImportConflict", "Progress", "Report", "import_rows",
           "record_import", "region_by_slug", "run_import", "system_user"]
COMMAND_LINE = "command line"


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


def run_import(session: Session, region: Region, kind: Kind, sheet: Sheet,
               mapping: Sequence[str], *, dry_run: bool = False,
               progress: Progress | None = None, batch: int = BATCH,
               waiting: Callable[[], None] | None = None) -> Report:
    """Check, match and (unless ``dry_run`` or a row is refused) write the rows of ``sheet``.
    Unless ``dry_run``, the region's import lock is taken first (``waiting`` is called if
    another import holds it; :class:`~.import_lock.ImportBusy` if it keeps
    it too long). The caller commits on success and rolls back on any exception."""
    assert region.id is not None
    valid, problems = validate_rows(kind, sheet, mapping)
    report = Report(kind=kind, rows=len(sheet.rows), dry_run=dry_run)
    if not dry_run:
        hold_import_lock(session, region.id, waiting=waiting)
    steps, match_problems = plan(session, region.id, kind, valid)
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
        write_steps(session, region.id, kind, steps, now=utc_now(), progress=progress,
                    batch=batch)
    except IntegrityError as error:
        if duplicate_of(error) is None:
            raise
        raise ImportConflict from error
    report.written = True
    return report


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
