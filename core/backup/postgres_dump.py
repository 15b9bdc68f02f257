"""PostgreSQL: ``pg_dump --format=custom`` in a snapshot whose row counts go into the
manifest, and ``pg_restore`` in one transaction. The connection's settings, password
included, reach the tools through libpq's environment variables, never their arguments
(which any user of the host may read)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from psycopg.conninfo import make_conninfo
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from campagne.backup.errors import BackupError, Refused
from campagne.backup.facts import check_restored, database_facts
from campagne.backup.manifest import DatabaseFacts, Manifest

#: libpq's connection parameters and the environment variables that set them.
LIBPQ_ENVIRONMENT = {
    "host": "PGHOST", "hostaddr": "PGHOSTADDR", "port": "PGPORT", "dbname": "PGDATABASE",
    "user": "PGUSER", "password": "PGPASSWORD", "passfile": "PGPASSFILE",
    "options": "PGOPTIONS", "application_name": "PGAPPNAME", "sslmode": "PGSSLMODE",
    "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "sslrootcert": "PGSSLROOTCERT",
    "sslcrl": "PGSSLCRL", "connect_timeout": "PGCONNECT_TIMEOUT", "service": "PGSERVICE",
    "target_session_attrs": "PGTARGETSESSIONATTRS", "gssencmode": "PGGSSENCMODE",
    "channel_binding": "PGCHANNELBINDING", "krbsrvname": "PGKRBSRVNAME",
    "sslcompression": "PGSSLCOMPRESSION", "requirepeer": "PGREQUIREPEER",
}


def libpq_environment(url: str) -> dict[str, str]:
    """The process environment with ``url``'s connection settings as ``PG*`` variables."""
    parsed = make_url(url)
    values: dict[str, str | None] = {
        "host": parsed.host, "port": str(parsed.port) if parsed.port else None,
        "dbname": parsed.database, "user": parsed.username, "password": parsed.password}
    for key, value in parsed.query.items():
        if key not in LIBPQ_ENVIRONMENT:
            raise Refused(f"the database URL's parameter {key!r} cannot be passed to "
                          "pg_dump and pg_restore; remove it or set it in the environment")
        values[key] = value if isinstance(value, str) else ",".join(value)
    environment = dict(os.environ)
    environment.update({LIBPQ_ENVIRONMENT[key]: value for key, value in values.items()
                        if value is not None})
    return environment


def tool(name: str) -> str:
    """The path of a PostgreSQL client program, or a clear error when it is missing."""
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found on PATH: install PostgreSQL's client programs "
                          "(Debian: apt install postgresql-client), of the server's major "
                          "version or newer")
    return found


def dump(engine: Engine, url: str, target: Path) -> tuple[DatabaseFacts, str]:
    """Dump the schema the connection uses to ``target``; return the facts read in the
    dump's own snapshot, and the schema's name."""
    program = tool("pg_dump")
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
            facts = database_facts(connection)
            _run([program, "--format=custom", "--no-password", f"--snapshot={snapshot}",
                  f"--schema={_literal_pattern(schema)}", f"--file={target}"], url, "pg_dump")
    return facts, str(schema)


def current_schema(engine: Engine) -> str:
    """The schema the connections of ``engine`` create their tables in."""
    with engine.connect() as connection:
        return str(connection.execute(text("SELECT current_schema()")).scalar_one())


def restore(engine: Engine, url: str, dump_file: Path, manifest: Manifest) -> None:
    """Restore ``dump_file`` in one transaction (all or nothing), then check it."""
    program = tool("pg_restore")
    listing = _run([program, "--list", str(dump_file)], url, "pg_restore").splitlines()
    # The schema itself stays: it exists (the URL uses it) and may hold other objects.
    kept = [line for line in listing
            if line.startswith(";") or line.split()[3:4] != ["SCHEMA"]]
    list_file = dump_file.with_name("restore.list")
    list_file.write_text("\n".join(kept) + "\n", encoding="utf-8")
    database = make_url(url).database or ""
    _run([program, "--single-transaction", "--clean", "--if-exists", "--no-owner",
          "--exit-on-error", "--no-password", f"--use-list={list_file}",
          f"--dbname={make_conninfo(dbname=database)}", str(dump_file)], url, "pg_restore",
         failure="nothing was changed (one transaction)")
    with engine.connect() as connection:
        check_restored(database_facts(connection), manifest)


def _literal_pattern(name: str) -> str:
    """A ``--schema`` pattern matching exactly ``name`` (quoted: no wildcard, case kept)."""
    return '"' + name.replace('"', '""') + '"'


def _run(command: list[str], url: str, name: str, *, failure: str = "") -> str:
    environment = libpq_environment(url)
    result = subprocess.run(command, env=environment, capture_output=True,  # noqa: S603
                            text=True, check=False)
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        detail = "; ".join(lines[-3:]) or f"exit status {result.returncode}"
        raise BackupError(f"{name} failed: {detail}" + (f"; {failure}" if failure else ""))
    return result.stdout
