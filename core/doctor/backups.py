"""The age of the last backup: the newest archive of the backup folder whose manifest
reads (the archive is not checked whole: ``campagne restore`` does that)."""

from __future__ import annotations

import datetime as dt
import tarfile
from pathlib import Path

from campagne.backup.errors import Refused
from campagne.backup.manifest import MANIFEST, Manifest
from campagne.doctor.finding import Deployment, Finding, as_utc, fail, ok, warn

CHECK = "backup"
WARN_AFTER = dt.timedelta(hours=26)
FAIL_AFTER = dt.timedelta(days=8)
SCHEDULE_FIX = ("check the backup timer (docs/operations.md, \"A nightly backup with a "
                "systemd timer\"), or run campagne backup {folder}/FILE.tar.gz")


def check_backups(deployment: Deployment) -> list[Finding]:
    """How old the newest readable archive of ``--backups`` (or CAMPAGNE_BACKUP_DIR) is."""
    folder = deployment.backup_dir
    if folder is None:
        return [warn(CHECK, "no backup folder given: the backups are not checked",
                     "pass --backups DIR or set CAMPAGNE_BACKUP_DIR to where campagne backup "
                     "writes its archives")]
    fix = SCHEDULE_FIX.format(folder=folder)
    if not folder.is_dir():
        return [fail(CHECK, f"the backup folder {folder} does not exist", fix)]
    found = newest_backup(folder)
    if found is None:
        return [fail(CHECK, f"no readable backup in {folder}", fix)]
    path, created = found
    age = deployment.now - created
    said = (f"the newest backup, {path.name}, was made {_age(age)} ago "
            f"({created:%Y-%m-%d %H:%M} UTC)")
    if age > FAIL_AFTER:
        return [fail(CHECK, said, fix)]
    if age > WARN_AFTER:
        return [warn(CHECK, said, fix)]
    return [ok(CHECK, said)]


def newest_backup(folder: Path) -> tuple[Path, dt.datetime] | None:
    """The archive made last, by its manifest, among those whose manifest reads."""
    found = []
    for path in folder.iterdir():
        created = _created(path) if path.is_file() else None
        if created is not None:
            found.append((created, path))
    if not found:
        return None
    created, path = max(found)
    return path, created


def _created(path: Path) -> dt.datetime | None:
    """When the archive was made, if its manifest reads; its first member, so reading it
    costs little whatever the archive's size."""
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            member = tar.next()
            if member is None or member.name != MANIFEST or not member.isfile():
                return None
            handle = tar.extractfile(member)
            manifest = Manifest.from_json(handle.read() if handle else b"")
        return as_utc(dt.datetime.fromisoformat(manifest.created))
    except (tarfile.TarError, OSError, EOFError, ValueError, Refused):
        return None


def _age(age: dt.timedelta) -> str:
    hours = int(age.total_seconds() // 3600)
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"
