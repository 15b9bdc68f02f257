"""The CPU time, wall time and peak memory of reading one workbook, by calamine (the
import's reader) or by openpyxl (the reader of workbooks whose cells do not name their
place), each in a process of its own. From the repository's root::

    python bench/sheet_read.py FILE.xlsx calamine
    python bench/sheet_read.py FILE.xlsx openpyxl

The limits are those of ``bench/imports.py`` (room for the file)."""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from campagne.features.spreadsheets import reading
from campagne.settings import CampagneSettings


def main(argv: list[str] | None = None) -> int:
    """Read the workbook once with the reader named; print what it cost."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("reader", choices=("calamine", "openpyxl"))
    args = parser.parse_args(argv)
    data = args.file.read_bytes()
    limits = reading.limits_from(CampagneSettings(
        max_upload_bytes=1 << 31, sheet_max_rows=10_000_000, sheet_max_unpacked_mb=8192))
    cpu, wall = time.process_time(), time.perf_counter()
    if args.reader == "calamine":
        if not reading.fits_calamine(data, limits):
            print("this workbook is not one calamine reads: openpyxl would")
            return 1
        sheet = reading.read_sheet(data, args.file.name, None, limits)
    else:
        sheet = reading._read_with_openpyxl(data, None, limits)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.reader}: {len(sheet.rows):,} rows, CPU {time.process_time() - cpu:.2f} s, "
          f"wall {time.perf_counter() - wall:.2f} s, peak RSS {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
