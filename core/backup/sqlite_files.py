"""SQLite: a consistent copy through SQLite's online backup API while the server may be
writing, and a restore that is checked in a temporary file before it replaces anything."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from campagne.backup.errors import BackupError, Refused
from campagne.backup.facts import check_restored, database_facts
from campagne.backup.manifest import DatabaseFacts, Manifest

#: How long to wait for a writer's lock, in seconds (as the server's connections do).
BUSY_TIMEOUT = 30


def database_path(url: str) -> Path:
    """The file a ``sqlite:///`` URL names."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise Refused(f"{url}: only a SQLite database in a file can be backed up or restored")
    return Path(database)


def snapshot(source: Path, copy: Path) -> DatabaseFacts:
    """Copy ``source`` to ``copy`` in one read transaction (writers go on meanwhile, in WAL
    mode) and read the copy's revisions and row counts: the facts are the copy's own."""
    if not source.is_file():
        raise BackupError(f"{source}: no such database file")
    reader = sqlite3.connect(source, timeout=BUSY_TIMEOUT)
    writer = sqlite3.connect(copy)
    try:
        reader.backup(writer)  # all pages in one step: one snapshot
        writer.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        writer.close()
        reader.close()
    return file_facts(copy)


def file_facts(path: Path) -> DatabaseFacts:
    """The revisions and row counts of the database file ``path``."""
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return database_facts(connection)
    finally:
        engine.dispose()


def restore(copy: Path, target: Path, manifest: Manifest) -> None:
    """Put the archive's database ``copy`` in place of ``target``: checked first in a
    temporary file beside the target, then moved in whole."""
    descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.restore-", dir=target.parent)
    os.close(descriptor)
    staged = Path(name)
    try:
        shutil.copyfile(copy, staged)
        _check(staged, manifest)
        if target.exists():
            _replace_contents(staged, target)
        else:
            for leftover in _side_files(target):
                leftover.unlink(missing_ok=True)  # a stale journal would be replayed
            os.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)
    check_restored(file_facts(target), manifest)


def _check(staged: Path, manifest: Manifest) -> None:
    connection = sqlite3.connect(staged)
    try:
        result = connection.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        raise Refused(f"the archive's database is damaged: {exc}") from None
    finally:
        connection.close()
    if result != [("ok",)]:
        raise Refused(f"the archive's database is damaged: {result[0][0]}")
    try:
        check_restored(file_facts(staged), manifest)
    except BackupError as exc:
        raise Refused(str(exc)) from None


def _replace_contents(staged: Path, target: Path) -> None:
    """Copy the checked file over the existing database through SQLite itself, in one write
    transaction: a server that has the file open sees the old or the new database, never a
    mix, and its write-ahead log is never replayed onto the new file (a rename would let
    that happen)."""
    reader = sqlite3.connect(staged)
    writer = sqlite3.connect(target, timeout=BUSY_TIMEOUT)
    try:
        reader.backup(writer)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{target} could not be replaced ({exc}); it is unchanged: if it "
                          "is not a database, move it aside and run restore again") from None
    finally:
        writer.close()
        reader.close()


def _side_files(target: Path) -> list[Path]:
    return [target.with_name(target.name + suffix) for suffix in ("-wal", "-shm", "-journal")]
