"""``campagne import`` and ``campagne export``: spreadsheets of members and inquiries from the
command line.

Like ``campagne users``, without ``--db`` and ``CAMPAGNE_DATABASE_URL`` the commands act on
the ``campagne-demo.db`` of the current folder. Exit status of ``import``: 0 when the file
was imported (or would be, with ``--dry-run``), 1 when rows or the file were refused (nothing
is written then), 2 for a wrong command line."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from campagne import i18n
from campagne.auth.models import AuditEvent
from campagne.db import make_engine, upgrade
from campagne.features.spreadsheets.exporter import (
    InquiryFilter,
    MemberFilter,
    count_and_last,
    csv_chunks,
    headers,
    inquiry_selection,
    member_selection,
    read_rows,
    workbook_chunks,
)
from campagne.features.spreadsheets.fields import FIELDS, IGNORE, Kind, auto_mapping, normalise
from campagne.features.spreadsheets.import_lock import ImportBusy
from campagne.features.spreadsheets.importer import (
    COMMAND_LINE,
    ImportConflict,
    Report,
    import_rows,
    region_by_slug,
    system_user,
)
from campagne.features.spreadsheets.reading import (
    Limits,
    Sheet,
    SheetError,
    limits_from,
    read_sheet,
)
from campagne.features.spreadsheets.validation import MappingInvalid
from campagne.i18n import gettext, ngettext
from campagne.settings import settings_for

log = logging.getLogger("campagne.spreadsheets")
EXIT_REJECTED, EXIT_USAGE = 1, 2


class UsageError(Exception):
    """A wrong command line (unknown region, file or column)."""


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``import`` and ``export`` to the command-line grammar."""
    kinds = [kind.value for kind in Kind]
    importing = commands.add_parser("import", help="import members or inquiries from a "
                                                   "CSV or XLSX file (all or nothing)")
    importing.add_argument("kind", choices=kinds)
    importing.add_argument("file", type=Path, metavar="FILE")
    importing.add_argument("--region", required=True, metavar="SLUG")
    importing.add_argument("--sheet", metavar="NAME", help="the XLSX sheet (the first one)")
    importing.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                           help="map a column to a field, or to - to leave it out "
                                "(repeatable; the others are matched by their header)")
    importing.add_argument("--map-file", type=Path, metavar="FILE",
                           help="a file of COLUMN=FIELD lines (# starts a comment)")
    importing.add_argument("--dry-run", action="store_true",
                           help="check and report, write nothing")
    exporting = commands.add_parser("export", help="export members or inquiries as CSV or XLSX")
    exporting.add_argument("kind", choices=kinds)
    exporting.add_argument("--region", required=True, metavar="SLUG")
    exporting.add_argument("--format", required=True, choices=["csv", "xlsx"])
    exporting.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    exporting.add_argument("--status", help="members: settling, settled, left...")
    exporting.add_argument("--sector", help="sector slug")
    exporting.add_argument("--commune", help="members: commune")
    exporting.add_argument("--stage", help="inquiries: pipeline stage")
    for parser in (importing, exporting):
        parser.add_argument("--db", default=None, help="database URL")
        parser.add_argument("--lang", choices=list(i18n.SUPPORTED), default=_env_language(),
                            help="language of the report (from LANG)")


def _env_language() -> str:
    value = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return "en" if value.lower().startswith("en") else "fr"


def run(args: argparse.Namespace) -> int:
    """Run ``import`` or ``export``; return the exit status."""
    token = i18n.current_locale.set(args.lang)
    settings = settings_for(args.db)
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with Session(engine) as session:
            try:
                if args.command == "import":
                    return _import(session, args, limits_from(settings))
                return _export(session, args)
            except BaseException:
                session.rollback()
                raise
    except UsageError as exc:
        print(f"campagne: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        engine.dispose()
        i18n.current_locale.reset(token)


def _import(session: Session, args: argparse.Namespace, limits: Limits) -> int:
    kind = Kind(args.kind)
    region = region_by_slug(session, args.region)
    if region is None:
        raise UsageError(gettext("unknown region \"%(slug)s\"") % {"slug": args.region})
    try:
        with args.file.open("rb") as handle:  # one byte past the limit tells it is passed
            data = handle.read(limits.max_bytes + 1)
    except OSError as exc:
        raise UsageError(f"{args.file}: {exc.strerror}") from exc
    try:
        sheet = read_sheet(data, args.file.name, args.sheet, limits)
    except SheetError as exc:
        print(f"{args.file}: {exc.translated()}", file=sys.stderr)
        if exc.setting:
            print(gettext("The limit is set by %(setting)s (see docs/configuration.md).")
                  % {"setting": exc.setting}, file=sys.stderr)
        return EXIT_REJECTED
    mapping = _mapping(kind, sheet, _map_lines(args))
    _print_mapping(sheet, mapping)
    try:
        report = import_rows(session, region, kind, sheet, mapping, actor=None,
                             filename=args.file.name, dry_run=args.dry_run,
                             progress=_log_progress, waiting=_say_waiting)
    except MappingInvalid as exc:
        for problem in exc.problems:
            print(problem.describe(), file=sys.stderr)
        return EXIT_REJECTED
    except ImportConflict:
        print(gettext("A record changed while the file was being imported: nothing was "
                      "written; import it again."), file=sys.stderr)
        return EXIT_REJECTED
    except ImportBusy:
        print(gettext("Another import into this region is still being written: nothing "
                      "was written; import the file again when it has ended."),
              file=sys.stderr)
        return EXIT_REJECTED
    print_report(report)
    return 0 if report.ok else EXIT_REJECTED


def _log_progress(done: int, total: int) -> None:
    log.info("%d/%d rows processed (not committed yet)", done, total)


def _say_waiting() -> None:
    print(gettext("Another import into this region (or another write) is in progress: "
                  "waiting for it to end…"), file=sys.stderr, flush=True)


def _map_lines(args: argparse.Namespace) -> list[str]:
    lines = list(args.map)
    if args.map_file:
        try:
            text = args.map_file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{args.map_file}: {exc}") from exc
        lines += [line.strip() for line in text.splitlines()
                  if line.strip() and not line.lstrip().startswith("#")]
    return lines


def _mapping(kind: Kind, sheet: Sheet, lines: list[str]) -> list[str]:
    """The automatic mapping, corrected by ``COLUMN=FIELD`` lines."""
    mapping = auto_mapping(kind, sheet.headers)
    keys = {spec.key for spec in FIELDS[kind]} | {IGNORE}
    for line in lines:
        column, separator, key = line.rpartition("=")
        column, key = column.strip(), key.strip()
        if not separator or not column:
            raise UsageError(gettext("--map needs COLUMN=FIELD, not \"%(value)s\"")
                             % {"value": line})
        if key not in keys:
            raise UsageError(gettext("unknown field \"%(field)s\"; the fields are: "
                                     "%(fields)s") % {"field": key,
                                                      "fields": ", ".join(sorted(keys))})
        index = _column_index(sheet.headers, column)
        for other, taken in enumerate(mapping):  # the field moves to the column named
            if taken == key and key != IGNORE:
                mapping[other] = IGNORE
        mapping[index] = key
    return mapping


def _column_index(headers: list[str], column: str) -> int:
    for candidates in (headers, [normalise(h) for h in headers]):
        wanted = column if candidates is headers else normalise(column)
        if wanted in candidates:
            return candidates.index(wanted)
    raise UsageError(gettext("no column \"%(column)s\" in the file; its columns are: "
                             "%(columns)s") % {"column": column,
                                               "columns": ", ".join(headers)})


def _print_mapping(sheet: Sheet, mapping: list[str]) -> None:
    print(gettext("Columns:"))
    for header, key in zip(sheet.headers, mapping, strict=True):
        print(f"  {header} -> {key if key != IGNORE else gettext('(left out)')}")


def print_report(report: Report) -> None:
    """The report of an import, in the current language."""
    for problem in report.problems:
        print(problem.describe())
    print(report.summary())


def _export(session: Session, args: argparse.Namespace) -> int:
    kind = Kind(args.kind)
    if region_by_slug(session, args.region) is None:
        raise UsageError(gettext("unknown region \"%(slug)s\"") % {"slug": args.region})
    try:
        selection = (member_selection(args.region, MemberFilter(
            sector=args.sector, status=args.status, commune=args.commune))
            if kind is Kind.MEMBERS else inquiry_selection(args.region, InquiryFilter(
                stage=args.stage, sector=args.sector)))
    except ValueError as exc:
        raise UsageError(str(exc).splitlines()[0]) from exc
    count, last_id = count_and_last(session, selection)
    session.commit()  # no transaction held while the file is written
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    titles, rows = headers(kind), read_rows(engine, selection, last_id)
    try:
        write_private(args.output, csv_chunks(titles, rows) if args.format == "csv"
                      else workbook_chunks(kind, titles, rows))
    except OSError as exc:
        raise UsageError(f"{args.output}: {exc.strerror}") from exc
    session.add(AuditEvent(actor_email=COMMAND_LINE, action="export", region_slug=args.region,
                           target=kind.value, detail={"count": count,
                                                      "format": args.format,
                                                      "system_user": system_user()}))
    session.commit()
    print(ngettext("%(num)s record exported to %(file)s.",
                   "%(num)s records exported to %(file)s.", count)
          % {"num": count, "file": args.output})
    return 0


def write_private(path: Path, content: Iterable[bytes]) -> None:
    """Write the pieces of ``content`` to ``path`` as they come, readable by its owner only
    (personal data), even when ``path`` existed with another mode: a new file, created 0600
    in the same folder, replaces it once complete, so the old mode is never kept and no
    reader sees half a file."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part",
                                             dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:  # mkstemp creates it 0600
            for piece in content:
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
