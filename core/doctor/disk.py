"""Free space where the SQLite database and the key file live."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import NamedTuple

from campagne.doctor.database import sqlite_file
from campagne.doctor.finding import Deployment, Finding, fail, ok, warn

CHECK = "disk"
MB = 1024 * 1024
FAIL_UNDER = 100 * MB
WARN_UNDER = 1024 * MB
WARN_UNDER_SHARE = 0.10


class Usage(NamedTuple):
    """A file system's size and free space, in bytes (what :func:`shutil.disk_usage`
    gives)."""

    total: int
    used: int
    free: int


def check_disk(deployment: Deployment) -> list[Finding]:
    """One line per file system holding the database or the key file."""
    places: dict[Path, str] = {}
    file = sqlite_file(deployment.settings.database_url)
    if file is not None:
        places[file.absolute().parent] = f"the database {file}"
    if not deployment.settings.secret_key:
        key = Path(deployment.settings.secret_key_file).absolute()
        places.setdefault(key.parent, f"the key file {key}")
    findings = []
    for folder, what in places.items():
        if folder.is_dir():
            usage = shutil.disk_usage(folder)
            findings.append(space_finding(what, Usage(usage.total, usage.used, usage.free)))
    return findings


def space_finding(what: str, usage: Usage) -> Finding:
    """FAIL under 100 MB free, WARN under 1 GB or 10 %, else OK."""
    free = f"{usage.free / MB:,.0f} MB free ({usage.free / usage.total:.0%})" \
        if usage.total else "no space"
    fix = ("free space there (old logs, old backups kept beside the database) or move the "
           "data to a larger disk; SQLite needs room for its journal and backups a copy")
    if usage.free < FAIL_UNDER:
        return fail(CHECK, f"{free} where {what} lives", fix)
    if usage.free < WARN_UNDER or usage.free < WARN_UNDER_SHARE * usage.total:
        return warn(CHECK, f"{free} where {what} lives", fix)
    return ok(CHECK, f"{free} where {what} lives")
