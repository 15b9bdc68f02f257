"""Making a backup and restoring one: the steps in order, every refusal before any change."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from campagne import __version__
from campagne.backup import postgres_dump, sqlite_files
from campagne.backup.archive import read_archive, write_archive
from campagne.backup.errors import Refused
from campagne.backup.facts import holds_data
from campagne.backup.manifest import DATABASE_MEMBERS, SECRET_KEY, Manifest, as_dict, sha256
from campagne.backup.secret import (
    current_key,
    instance_key,
    refuse_conflicting_key,
    write_key_file,
)
from campagne.db import make_engine, normalise_url
from campagne.migration_chain import engine_chain
from campagne.settings import CampagneSettings


@dataclass(frozen=True)
class Restored:
    """What a restore did."""

    manifest: Manifest
    key_written: Path | None
    key_differs: bool


def database_kind(url: str) -> str:
    """``sqlite`` or ``postgresql``."""
    kind = make_url(normalise_url(url)).get_backend_name()
    if kind not in DATABASE_MEMBERS:
        raise Refused(f"{kind} databases cannot be backed up (SQLite and PostgreSQL can)")
    return kind


def make_backup(settings: CampagneSettings, target: Path, *, now: datetime | None = None
                ) -> Manifest:
    """Write the archive of the instance's database and key to ``target``."""
    url = normalise_url(settings.database_url)
    kind = database_kind(url)
    key = instance_key(settings)
    target = target.absolute()
    with tempfile.TemporaryDirectory(prefix=".campagne-backup-", dir=target.parent) as work:
        folder = Path(work)
        database = folder / DATABASE_MEMBERS[kind]
        schema = None
        if kind == "sqlite":
            facts = sqlite_files.snapshot(sqlite_files.database_path(url), database)
        else:
            engine = make_engine(url)
            try:
                facts, schema = postgres_dump.dump(engine, url, database)
            finally:
                engine.dispose()
        key_file = folder / SECRET_KEY
        key_file.write_text(key, encoding="ascii")
        members = {DATABASE_MEMBERS[kind]: database, SECRET_KEY: key_file}
        manifest = Manifest(
            campagne_version=__version__, database=kind, schema=schema,
            created=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
            members={name: sha256(path) for name, path in members.items()}, **as_dict(facts))
        write_archive(target, manifest, members)
    return manifest


def engine_head() -> str:
    """The newest revision of this release's engine migrations."""
    return engine_chain().head


def restore_backup(settings: CampagneSettings, source: Path, *, replace: bool,
                   with_key: bool) -> Restored:
    """Check the archive whole, refuse what does not fit this instance, then restore."""
    url = normalise_url(settings.database_url)
    kind = database_kind(url)
    with tempfile.TemporaryDirectory(prefix="campagne-restore-") as work:
        manifest, members = read_archive(source, Path(work))
        _refuse_mismatch(manifest, kind)
        archived_key = members[SECRET_KEY].read_text(encoding="ascii").strip()
        if with_key:
            refuse_conflicting_key(settings, archived_key)
        database = members[DATABASE_MEMBERS[kind]]
        if kind == "sqlite":
            target = sqlite_files.database_path(url)
            if target.exists() and not replace and _sqlite_holds_data(url):
                raise _holds_data(url)
            sqlite_files.restore(database, target, manifest)
        else:
            engine = make_engine(url)
            try:
                schema = postgres_dump.current_schema(engine)
                if schema != manifest.schema:
                    raise Refused(f"the archive was taken from the schema {manifest.schema!r}, "
                                  f"and this database URL uses {schema!r}: restore into that "
                                  "schema (options=-csearch_path=... in the URL)")
                if not replace and holds_data(engine):
                    raise _holds_data(url)
                postgres_dump.restore(engine, url, database, manifest)
            finally:
                engine.dispose()
        written = write_key_file(settings, archived_key) if with_key else None
        return Restored(manifest=manifest, key_written=written,
                        key_differs=current_key(settings) != archived_key)


def _refuse_mismatch(manifest: Manifest, kind: str) -> None:
    if manifest.database != kind:
        raise Refused(f"the archive holds a {_name(manifest.database)} database and this "
                      f"instance's database is {_name(kind)}: restore it onto "
                      f"{_name(manifest.database)}, or move the data with other tools")
    head = engine_head()
    if manifest.revision != head:
        raise Refused(f"the archive's schema is at revision {manifest.revision} (made by "
                      f"Campagne {manifest.campagne_version}) and this release's is {head}: "
                      "restore it with the release that made it, then upgrade with "
                      "campagne db upgrade")


def _sqlite_holds_data(url: str) -> bool:
    engine = make_engine(url)
    try:
        return holds_data(engine)
    finally:
        engine.dispose()


def _holds_data(url: str) -> Refused:
    shown = make_url(url).render_as_string(hide_password=True)
    return Refused(f"{shown} holds data, which the restore would replace: add --yes to "
                   "replace it")


def _name(kind: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[kind]
