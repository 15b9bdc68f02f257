"""Benchmark of the staff's spreadsheet import (``campagne import``'s use case): seconds to
read, to check and write, rows per second and peak memory, for a first import into an empty
region, a re-import of the unchanged file and (CSV) one where every row changed, with bulk
statements (the application's import) against the import as it was before (the code of
commit ``BASELINE``, taken from git). One command, from the repository's root:

    python bench/imports.py                       # 100,000 members of the Gers, SQLite
    python bench/imports.py --rows 50000 --db postgresql://postgres@127.0.0.1:5432/test

The script writes a CSV file and an XLSX workbook of ``--rows`` synthetic members of the
Gers, then runs each (file, variant) in a process of its own, so that each peak (``VmHWM``
of ``/proc/self/status``) is its own, on a fresh database: a SQLite file in a temporary
folder, or the schema ``campagne_bench_imports`` of the PostgreSQL given (dropped and
created again). Each process imports the file through ``import_rows``, each time from its
bytes (read, check, match, write, audit, commit), as the import page and the command line
do: into the empty region, again unchanged, then (CSV) with every phone number changed.
Exit 0 when everything ran, each import created, left unchanged or updated every row, and
both variants wrote the same records (the figures are measurements, not a test)."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from bench_kit import empty_database
from openpyxl import Workbook
from sqlalchemy import select
from sqlmodel import Session

from campagne.features.spreadsheets.checks import luhn_valid
from campagne.features.spreadsheets.fields import FIELDS, Kind
from campagne.models import Member
from campagne.regions import reference_region_paths
from campagne.settings import CampagneSettings

SCHEMA = "campagne_bench_imports"
BASELINE = "541d4fd"  # the last commit whose import matched rows with model objects
BASELINE_MODULES = ("checks", "fields", "import_lock", "importer", "reading", "validation")
ROOT = Path(__file__).resolve().parent.parent
HEADERS = ["Nom", "Prénom", "Courriel", "Téléphone", "Entreprise", "SIRET", "Code NAF",
           "Secteur", "Commune", "Origine", "Pays", "Date d'arrivée", "Statut",
           "Dernier contact"]
COMMUNES = ["Auch", "Condom", "Lectoure", "Mirande", "Eauze", "Fleurance", "L'Isle-Jourdain",
            "Nogaro", "Samatan", "Gimont", "Vic-Fezensac", "Marciac"]
NAF_CODES = ["62.01Z", "70.22Z", "74.10Z", "55.20Z", "85.59A", "6202A", "73.11Z", "71.12B"]
ORIGINS = ["Île-de-France", "Auvergne-Rhône-Alpes", "Occitanie", "Belgique", "Hauts-de-France"]
STATUSES = ["installé", "en installation", "settled", "prospect", "parti"]


# --- the files ------------------------------------------------------------------------------


def siret(n: int) -> str:
    """A valid SIRET numbered ``n``."""
    stem = f"{300_000_000 + n:09d}0001"
    return next(stem + digit for digit in "0123456789" if luhn_valid(stem + digit))


def member(n: int) -> list[Any]:
    """Member ``n``: one in ten without a SIRET, one in twenty with a sector written out,
    one in three with a last contact; dates as dates (a workbook's cells)."""
    return [f"Nom{n}", f"Prénom{n}", f"membre{n}@example.org",
            f"05 62 {n % 100:02d} {n % 97:02d} {n % 89:02d}", f"Atelier {n}",
            siret(n) if n % 10 else "", NAF_CODES[n % len(NAF_CODES)],
            "Audit, conseil et formation" if n % 20 == 0 else "", COMMUNES[n % len(COMMUNES)],
            ORIGINS[n % len(ORIGINS)], "BE" if n % 50 == 0 else "FR",
            dt.date(2019, 1, 1) + dt.timedelta(days=n % 2000), STATUSES[n % len(STATUSES)],
            dt.date(2025, 1, 1) + dt.timedelta(days=n % 300) if n % 3 == 0 else ""]


def write_files(folder: Path, rows: int) -> dict[str, Path]:
    """The members as a CSV file (UTF-8 with BOM, ``;``, French dates) and an XLSX
    workbook (date cells), as staff would save them from a spreadsheet. The workbook is
    written whole, not streamed, so that it records its dimension as Excel and LibreOffice
    do (a workbook without one is read twice by openpyxl: once to find its size)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Membres"
    sheet.append(HEADERS)
    for n in range(rows):
        values = member(n)
        sheet.append(values)
        writer.writerow([value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else value
                         for value in values])
    paths = {"CSV": folder / "membres.csv", "XLSX": folder / "membres.xlsx"}
    paths["CSV"].write_bytes(buffer.getvalue().encode("utf-8-sig"))
    workbook.save(paths["XLSX"])
    return paths


# --- the variants ---------------------------------------------------------------------------


def baseline_package(folder: Path, ref: str) -> None:
    """The spreadsheet modules of commit ``ref``, as the package ``sheets_before`` in
    ``folder`` (their imports of each other renamed)."""
    package = folder / "sheets_before"
    package.mkdir()
    (package / "__init__.py").write_text(f'"""The import of commit {ref}."""\n')
    for name in BASELINE_MODULES:
        source = subprocess.run(["git", "-C", str(ROOT), "show",
                                 f"{ref}:core/features/spreadsheets/{name}.py"],
                                capture_output=True, text=True, check=True).stdout
        (package / f"{name}.py").write_text(
            source.replace("campagne.features.spreadsheets.", "sheets_before."))


def modules(variant: str, folder: Path) -> tuple[ModuleType, ModuleType, ModuleType, Any]:
    """The fields, importer and reader of ``variant`` (each variant has its own ``Kind``),
    and its limits (room for the file)."""
    if variant == "before":
        sys.path.insert(0, str(folder))
        import sheets_before.fields as fields  # type: ignore[import-not-found]
        import sheets_before.importer as importer  # type: ignore[import-not-found]
        import sheets_before.reading as reading  # type: ignore[import-not-found]

        return fields, importer, reading, reading.Limits(
            max_bytes=1 << 31, max_rows=10_000_000, max_unpacked_bytes=1 << 33)
    from campagne.features.spreadsheets import fields, importer, reading

    settings = CampagneSettings(max_upload_bytes=1 << 31, sheet_max_rows=10_000_000,
                                sheet_max_unpacked_mb=8192)
    return fields, importer, reading, reading.limits_from(settings)


def memory_mb(field: str) -> float:
    """``VmHWM`` (peak) or ``VmRSS`` (now) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field}")


def written_digest(engine: Any) -> str:
    """A digest of the members' imported columns, by e-mail (what both variants must
    write alike)."""
    table = Member.__table__  # type: ignore[attr-defined]
    columns = sorted({spec.column for spec in FIELDS[Kind.MEMBERS]} | {"version", "synthetic"})
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for row in connection.execute(select(*(table.c[name] for name in columns))
                                      .order_by(table.c.email)):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def measure(variant: str, path: Path, url: str, folder: Path) -> dict[str, Any]:
    """Import the file into an empty Gers, again unchanged, then (a CSV file) with every
    phone number changed; the seconds of each step, the reports, the memory and the digest
    of what was written."""
    from campagne.testing import RegionKit  # (its test client warns: loaded here, muted)

    fields, importer, reading, limits = modules(variant, folder)
    kind = fields.Kind.MEMBERS
    instance = RegionKit(folder / "regions", url).instance(reference_region_paths())
    figures: dict[str, Any] = {"start_mb": memory_mb("VmRSS"), "load": os.getloadavg()}
    for run, _words, _expected in runs_of(path.suffix):
        started = time.perf_counter()
        data = path.read_bytes()
        if run == "changed":
            data = data.replace(b";05 62 ", b";05 63 ")
        sheet = reading.read_sheet(data, path.name, None, limits)
        read = time.perf_counter()
        with Session(instance.engine) as session:
            gers = importer.region_by_slug(session, "gers")
            report = importer.import_rows(session, gers, kind, sheet,
                                          fields.auto_mapping(kind, sheet.headers),
                                          actor=None, filename=path.name)
        done = time.perf_counter()
        figures[run] = {"read": read - started, "write": done - read,
                        "counts": [report.created, report.updated, report.unchanged],
                        "problems": [p.describe() for p in report.problems[:3]]}
        del sheet, data
    figures.update(peak_mb=memory_mb("VmHWM"), digest=written_digest(instance.engine))
    instance.engine.dispose()
    return figures


def runs_of(suffix: str) -> list[tuple[str, str, tuple[int, int, int]]]:
    """The imports of a file: key, words, and (created, updated, unchanged) in rows."""
    runs = [("first", "first import", (1, 0, 0)), ("again", "unchanged again", (0, 0, 1))]
    if suffix == ".csv":
        runs.append(("changed", "every row changed", (0, 1, 0)))
    return runs


def in_process(variant: str, path: Path, database: str | None, folder: Path
               ) -> dict[str, Any]:
    """:func:`measure` in a process of its own, on a fresh database."""
    work = Path(tempfile.mkdtemp(dir=folder))
    if variant == "before":
        baseline_package(work, BASELINE)
    url = empty_database(database, work, schema=SCHEMA, filename="imports.db")
    done = subprocess.run([sys.executable, "-W", "ignore", __file__, "measure", variant,
                           str(path), url, str(work)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{variant} import of {path.name} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


# --- the report -----------------------------------------------------------------------------


def print_figures(label: str, path: Path, runs: dict[str, dict[str, Any]], rows: int
                  ) -> bool:
    """The table of one file; ``True`` when every import did what it should."""
    print(f"\n{label}, {path.stat().st_size / 1e6:.1f} MB            read  check+write"
          f"     total    rows/s   peak RSS (start)   load at start")
    good = True
    for variant, figures in runs.items():
        for run, words, expected in runs_of(path.suffix):
            step = figures[run]
            total = step["read"] + step["write"]
            print(f"  {variant + ', ' + words:<26} {step['read']:>6.2f} s {step['write']:>8.2f} s"
                  f" {total:>7.2f} s {rows / total:>9,.0f}", end="")
            print(f"   {figures['peak_mb']:>6.0f} MB ({figures['start_mb']:.0f})"
                  f"   {' '.join(f'{x:.1f}' for x in figures['load'])}" if run == "first"
                  else "")
            if step["counts"] != [rows * share for share in expected] or step["problems"]:
                print(f"  !! {variant}, {words}: created, updated, unchanged "
                      f"{step['counts']}; {step['problems']}")
                good = False
    if "before" in runs:
        new, old = runs["bulk"], runs["before"]
        ratios = []
        for run, words, _expected in runs_of(path.suffix):
            whole = (old[run]["read"] + old[run]["write"]) / (new[run]["read"] + new[run]["write"])
            ratios.append(f"{words} x{whole:.2f} (check+write "
                          f"x{old[run]['write'] / new[run]['write']:.2f})")
        print(f"  before / bulk: {', '.join(ratios)}; peak RSS "
              f"x{old['peak_mb'] / new['peak_mb']:.2f}")
        same = new["digest"] == old["digest"]
        print(f"  same records written: {'yes' if same else 'NO'}")
        good = good and same
    return good


def main(argv: list[str] | None = None) -> int:
    """Write the files, import each with each variant, print the figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    measuring = sub.add_parser("measure", help="(used by the benchmark itself)")
    for name in ("variant", "path", "url", "folder"):
        measuring.add_argument(name)
    parser.add_argument("--rows", type=int, default=100_000, help="members (100000)")
    parser.add_argument("--db", default=None, help="a PostgreSQL URL (else SQLite)")
    parser.add_argument("--formats", default="CSV,XLSX", help="CSV, XLSX or both (CSV,XLSX)")
    parser.add_argument("--no-baseline", action="store_true",
                        help=f"skip the import as it was at commit {BASELINE}")
    args = parser.parse_args(argv)
    if args.command == "measure":
        print(json.dumps(measure(args.variant, Path(args.path), args.url, Path(args.folder))))
        return 0
    backend = "PostgreSQL" if args.db and not args.db.startswith("sqlite") else "SQLite"
    variants = ["bulk"] if args.no_baseline else ["bulk", "before"]
    good = True
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        started = time.perf_counter()
        paths = write_files(folder, args.rows)
        print(f"Import of {args.rows:,} members of the Gers on {backend} (files written in "
              f"{time.perf_counter() - started:.0f} s; load average "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())})")
        for label in [part.strip().upper() for part in args.formats.split(",")]:
            runs = {variant: in_process(variant, paths[label], args.db, folder)
                    for variant in variants}
            good = print_figures(label, paths[label], runs, args.rows) and good
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
