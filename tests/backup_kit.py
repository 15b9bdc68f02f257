"""Helpers for the backup and restore tests: a writer that keeps committing, what a
database holds (row counts and a checksum per table), and wiping a database."""

from __future__ import annotations

import hashlib
import json
import threading
import warnings
from pathlib import Path

from sqlalchemy import MetaData, select, text
from sqlalchemy.engine import make_url

from campagne.db import make_engine
from campagne.models import Region

#: How many rows the writer commits before the backup is allowed to start.
WRITES_BEFORE_BACKUP = 20


class Writer(threading.Thread):
    """Commits one region row per transaction, in a loop, until told to stop, and records
    each committed row (id, slug, name) once its commit has returned."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.warmed_up = threading.Event()
        self.error: BaseException | None = None
        self._lock = threading.Lock()
        self._committed: dict[int, tuple[str, str]] = {}

    def run(self) -> None:
        """Write until :attr:`stop` is set."""
        engine = make_engine(self.url)
        try:
            number = 0
            while not self.stop.is_set():
                number += 1
                slug, name = f"w{number}", f"Written while backing up, number {number}"
                with engine.begin() as connection:
                    result = connection.execute(Region.__table__.insert().values(  # type: ignore[attr-defined]
                        slug=slug, code="99", name=name))
                    row_id = int(result.inserted_primary_key[0])
                with self._lock:
                    self._committed[row_id] = (slug, name)
                    if len(self._committed) >= WRITES_BEFORE_BACKUP:
                        self.warmed_up.set()
        except Exception as exc:  # noqa: BLE001 (reported by the test, which then fails)
            self.error = exc
            self.warmed_up.set()
        finally:
            engine.dispose()

    def committed(self) -> dict[int, tuple[str, str]]:
        """The rows whose commit has returned so far."""
        with self._lock:
            return dict(self._committed)


def table_digests(url: str, *, without: frozenset[str] = frozenset()) -> dict[str, tuple[int, str]]:
    """Each table's row count and a SHA-256 of its rows in primary-key order."""
    engine = make_engine(url)
    try:
        metadata = MetaData()
        with warnings.catch_warnings():  # the unique indexes on lower(e-mail) are not needed
            warnings.filterwarnings("ignore", ".*expression-based index")
            metadata.reflect(engine)
        digests = {}
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                if table.name in without:
                    continue
                order = list(table.primary_key.columns) or list(table.columns)
                rows = connection.execute(select(table).order_by(*order)).all()
                encoded = json.dumps([list(row) for row in rows], default=str).encode()
                digests[table.name] = (len(rows), hashlib.sha256(encoded).hexdigest())
        return digests
    finally:
        engine.dispose()


def regions(url: str) -> dict[int, tuple[str, str]]:
    """The region rows: id -> (slug, name)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, slug, name FROM region")).all()
        return {int(row[0]): (str(row[1]), str(row[2])) for row in rows}
    finally:
        engine.dispose()


def wipe(url: str) -> None:
    """Lose the database: delete the SQLite file, or empty the PostgreSQL schema."""
    if url.startswith("sqlite"):
        database = make_url(url).database
        assert database
        for suffix in ("", "-wal", "-shm"):
            Path(database + suffix).unlink(missing_ok=True)
        return
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        engine.dispose()
