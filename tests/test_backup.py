"""``campagne backup`` and ``campagne restore`` on SQLite and PostgreSQL: a backup made while
a writer keeps committing holds every row committed before it started; a damaged archive,
another database kind, another schema revision or a database holding data without
``--yes`` are refused with exit 2 and leave the database as it was; the secret key goes
back only with ``--with-key``."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import stat
import tarfile
from pathlib import Path

import pytest
from backup_kit import Writer, regions, table_digests, wipe
from sqlalchemy import text

from campagne.backup.postgres_dump import libpq_environment
from campagne.backup.run import engine_head
from campagne.cli import main
from campagne.db import make_engine, upgrade
from campagne.testing_plugin import SCHEMA_PREFIX, backend_database_url

KEY = "k" * 64
OTHER_KEY = "o" * 64


@pytest.fixture
def instance(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated database with a few rows, and the instance's key file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CAMPAGNE_SECRET_KEY", raising=False)
    monkeypatch.delenv("CAMPAGNE_DATABASE_URL", raising=False)
    monkeypatch.setenv("CAMPAGNE_SECRET_KEY_FILE", str(tmp_path / "secret.key"))
    (tmp_path / "secret.key").write_text(KEY, encoding="ascii")
    _fill(database_url, "head")
    return database_url


def _fill(url: str, revision: str) -> None:
    engine = make_engine(url)
    upgrade(engine, revision)
    with engine.begin() as connection:
        for number, slug in enumerate(("gers", "orne"), start=1):
            connection.execute(text("INSERT INTO region (slug, code, name) VALUES "
                                    "(:slug, :code, :name)"),
                               {"slug": slug, "code": f"{30 + number}", "name": slug.title()})
        connection.execute(text("INSERT INTO sector (slug, label, naf_codes) VALUES "
                                "('conseil', 'Audit, conseil, formation', '70.22Z')"))
    engine.dispose()


def _run(*args: str) -> int:
    return main(list(args))


def _refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run a command that must be refused; return its message."""
    assert _run(*args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def test_backup_while_writing_holds_every_row_committed_before_it(
        instance: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    still = table_digests(instance, without=frozenset({"region"}))
    writer = Writer(instance)
    writer.start()
    try:
        assert writer.warmed_up.wait(timeout=120), "the writer never committed"
        assert writer.error is None
        before = writer.committed()
        archive = tmp_path / "nightly.tar.gz"
        assert _run("backup", "--db", instance, str(archive)) == 0
    finally:
        writer.stop.set()
        writer.join()
    assert writer.error is None
    written = writer.committed()
    captured = capsys.readouterr()
    assert "holds the instance's secret key" in captured.err
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".")) == []

    wipe(instance)
    assert _run("restore", "--db", instance, str(archive)) == 0
    assert "checked" in capsys.readouterr().out

    restored = regions(instance)
    for row_id, row in before.items():
        assert restored[row_id] == row
    seeded = {row_id: row for row_id, row in restored.items() if not row[0].startswith("w")}
    assert sorted(slug for slug, _ in seeded.values()) == ["gers", "orne"]
    for row_id, row in restored.items():
        if row_id not in seeded:
            assert written[row_id] == row  # nothing but committed rows
    assert table_digests(instance, without=frozenset({"region"})) == still
    manifest = json.loads(_member(archive, "manifest.json"))
    assert manifest["tables"]["region"] == len(restored)


def _member(archive: Path, name: str) -> bytes:
    with tarfile.open(archive, "r:gz") as tar:
        handle = tar.extractfile(name)
        assert handle is not None
        return handle.read()


def test_the_manifest_describes_the_archive(
        instance: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "b.tar.gz"
    assert _run("backup", "--db", instance, str(archive)) == 0
    manifest = json.loads(_member(archive, "manifest.json"))
    kind = "sqlite" if instance.startswith("sqlite") else "postgresql"
    database_member = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[kind]
    assert manifest["format"] == 1
    assert manifest["database"] == kind
    assert manifest["revision"] == engine_head()
    assert manifest["tables"]["region"] == 2
    assert manifest["tables"]["sector"] == 1
    assert manifest["tables"]["alembic_version"] == 1
    assert set(manifest["members"]) == {database_member, "secret_key"}
    for name, digest in manifest["members"].items():
        assert hashlib.sha256(_member(archive, name)).hexdigest() == digest
    assert _member(archive, "secret_key").decode() == KEY


def _repack(archive: Path, target: Path, *, drop: str | None = None,
            change: str | None = None) -> None:
    """Copy ``archive`` without one member, or with one byte of a member changed."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for entry in source.getmembers():
            if entry.name == drop:
                continue
            handle = source.extractfile(entry)
            assert handle is not None
            data = bytearray(handle.read())
            if entry.name == change:
                data[len(data) // 2] ^= 0xFF
            entry.size = len(data)
            out.addfile(entry, io.BytesIO(bytes(data)))


@pytest.mark.parametrize("damage", ["truncated", "flipped byte", "changed member",
                                    "missing member", "not an archive"])
def test_a_damaged_archive_is_refused_and_changes_nothing(
        instance: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        damage: str) -> None:
    archive = tmp_path / "good.tar.gz"
    assert _run("backup", "--db", instance, str(archive)) == 0
    engine = make_engine(instance)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO region (slug, code, name) VALUES "
                                "('after', '99', 'Made after the backup')"))
    engine.dispose()
    held = table_digests(instance)
    raw = archive.read_bytes()
    damaged = tmp_path / "damaged.tar.gz"
    if damage == "truncated":
        damaged.write_bytes(raw[: len(raw) // 2])
    elif damage == "flipped byte":
        flipped = bytearray(raw)
        flipped[len(raw) // 2] ^= 0x01
        damaged.write_bytes(bytes(flipped))
    elif damage == "changed member":
        member = "database.sqlite3" if instance.startswith("sqlite") else "database.pgdump"
        _repack(archive, damaged, change=member)
    elif damage == "missing member":
        _repack(archive, damaged, drop="secret_key")
    else:
        damaged.write_bytes(gzip.compress(b"this is no tar file" * 100))
    capsys.readouterr()
    message = _refused(capsys, "restore", "--yes", "--db", instance, str(damaged))
    assert "damaged" in message
    assert table_digests(instance) == held


def test_an_archive_of_another_schema_revision_is_refused(
        instance: str, tmp_path: Path, request: pytest.FixtureRequest,
        capsys: pytest.CaptureFixture[str]) -> None:
    backend = "sqlite" if instance.startswith("sqlite") else "postgresql"
    older = backend_database_url(request, backend, tmp_path / "older",
                                 schema=f"{SCHEMA_PREFIX}_older") \
        if backend == "postgresql" else f"sqlite:///{tmp_path / 'older.db'}"
    _fill(older, "0010")
    archive = tmp_path / "older.tar.gz"
    assert _run("backup", "--db", older, str(archive)) == 0
    held = table_digests(instance)
    message = _refused(capsys, "restore", "--yes", "--db", instance, str(archive))
    assert "revision 0010" in message
    assert "restore it with the release that made it, then upgrade" in message
    assert table_digests(instance) == held


def test_replacing_a_database_that_holds_data_needs_yes(
        instance: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "b.tar.gz"
    assert _run("backup", "--db", instance, str(archive)) == 0
    engine = make_engine(instance)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM sector"))
    engine.dispose()
    held = table_digests(instance)
    assert "add --yes" in _refused(capsys, "restore", "--db", instance, str(archive))
    assert table_digests(instance) == held
    assert _run("restore", "--yes", "--db", instance, str(archive)) == 0
    assert table_digests(instance)["sector"][0] == 1


def test_the_key_goes_back_only_with_with_key(
        instance: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "b.tar.gz"
    assert _run("backup", "--db", instance, str(archive)) == 0
    key_file = tmp_path / "secret.key"
    key_file.write_text(OTHER_KEY, encoding="ascii")
    capsys.readouterr()
    assert _run("restore", "--yes", "--db", instance, str(archive)) == 0
    assert "--with-key" in capsys.readouterr().out
    assert key_file.read_text(encoding="ascii") == OTHER_KEY

    monkeypatch.setenv("CAMPAGNE_SECRET_KEY", OTHER_KEY)
    held = table_digests(instance)
    message = _refused(capsys, "restore", "--yes", "--with-key", "--db", instance, str(archive))
    assert "CAMPAGNE_SECRET_KEY is set to another key" in message
    assert key_file.read_text(encoding="ascii") == OTHER_KEY
    assert table_digests(instance) == held

    monkeypatch.delenv("CAMPAGNE_SECRET_KEY")
    assert _run("restore", "--yes", "--with-key", "--db", instance, str(archive)) == 0
    assert key_file.read_text(encoding="ascii") == KEY
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_an_archive_of_the_other_database_kind_is_refused(
        tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CAMPAGNE_SECRET_KEY", raising=False)
    monkeypatch.setenv("CAMPAGNE_SECRET_KEY_FILE", str(tmp_path / "secret.key"))
    (tmp_path / "secret.key").write_text(KEY, encoding="ascii")
    lite = f"sqlite:///{tmp_path / 'lite.db'}"
    postgres = backend_database_url(request, "postgresql", tmp_path,
                                    schema=f"{SCHEMA_PREFIX}_kind")
    for url in (lite, postgres):
        _fill(url, "head")
    assert _run("backup", "--db", lite, str(tmp_path / "lite.tar.gz")) == 0
    assert _run("backup", "--db", postgres, str(tmp_path / "pg.tar.gz")) == 0
    message = _refused(capsys, "restore", "--yes", "--db", postgres,
                       str(tmp_path / "lite.tar.gz"))
    assert "holds a SQLite database" in message and "is PostgreSQL" in message
    message = _refused(capsys, "restore", "--yes", "--db", lite, str(tmp_path / "pg.tar.gz"))
    assert "holds a PostgreSQL database" in message and "is SQLite" in message


def test_a_missing_pg_dump_is_named(
        tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CAMPAGNE_SECRET_KEY", KEY)
    postgres = backend_database_url(request, "postgresql", tmp_path,
                                    schema=f"{SCHEMA_PREFIX}_tools")
    _fill(postgres, "head")
    empty = tmp_path / "no-tools"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert _run("backup", "--db", postgres, str(tmp_path / "b.tar.gz")) == 1
    err = capsys.readouterr().err
    assert "pg_dump was not found on PATH" in err and "Traceback" not in err
    assert sorted(os.listdir(tmp_path)) == ["no-tools"]


def test_the_password_reaches_pg_dump_through_the_environment() -> None:
    environment = libpq_environment(
        "postgresql+psycopg://campagne:s3cr%40t@db.example.org:5433/campagne"
        "?sslmode=verify-full&options=-csearch_path%3Dcampagne")
    assert environment["PGPASSWORD"] == "s3cr@t"
    assert environment["PGUSER"] == "campagne"
    assert environment["PGHOST"] == "db.example.org"
    assert environment["PGPORT"] == "5433"
    assert environment["PGDATABASE"] == "campagne"
    assert environment["PGSSLMODE"] == "verify-full"
    assert environment["PGOPTIONS"] == "-csearch_path=campagne"
