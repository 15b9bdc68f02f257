"""Property-based testing of the JSON API with schemathesis, against a live server.

For each database (SQLite; PostgreSQL when ``CAMPAGNE_TEST_POSTGRES_URL`` is set), this
starts ``campagne demo`` on a free loopback port, creates a staff account of the Gers with
``campagne users create``, then runs ``st run`` with its default checks twice: anonymously
and with the staff account's bearer token. It exits 1 when schemathesis reports anything.

    python scripts/fuzz_api.py [--max-examples N] [--seed N] [--backend sqlite|postgresql]

Run by ``tox -e fuzz`` (and so by ``.ci/run``). The seed is fixed so that a failure can be
replayed; pass ``--seed`` to explore further.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

STAFF_EMAIL = "fuzz-staff@example.org"
STAFF_PASSWORD = "fuzz-Staff-password-2026!"  # a throwaway local account
ENVIRONMENT = {
    "CAMPAGNE_ARGON2_TIME_COST": "1",
    "CAMPAGNE_ARGON2_MEMORY_KIB": "8",
    "CAMPAGNE_ARGON2_PARALLELISM": "1",
    "CAMPAGNE_SECRET_KEY": "fuzz-only-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "CAMPAGNE_LOAD_ENTRY_POINTS": "false",
}
# Logging out would end the token the staff run uses.
EXCLUDED_PATHS = ["/api/v1/auth/revoke"]


def free_port() -> int:
    """A loopback port nobody listens on at the time of asking."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def postgres_url(base: str, schema: str) -> str:
    """A URL whose connections use a fresh ``schema`` of the server named by ``base``."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


def wait_until_up(url: str, server: subprocess.Popen[bytes], seconds: float = 120) -> None:
    """Poll ``/healthz`` until it answers 200 (the demo migrates and generates first)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped with exit code {server.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/healthz",
                                                                  timeout=2) as answer:
            if answer.status == 200:
                return
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


@contextlib.contextmanager
def demo_server(database_url: str, folder: Path) -> Iterator[str]:
    """``campagne demo`` on a free port, stopped at the end; yields its base URL."""
    port = free_port()
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [campagne(), "demo", "--db", database_url, "--port", str(port)],
        cwd=folder, env={**os.environ, **ENVIRONMENT}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def campagne() -> str:
    """The ``campagne`` command of this environment."""
    found = shutil.which("campagne", path=str(Path(sys.executable).parent)) or shutil.which(
        "campagne")
    if found is None:
        raise SystemExit("the campagne command is not installed in this environment")
    return found


def staff_token(url: str, database_url: str, folder: Path) -> str:
    """Create the staff account of the Gers and sign it in through the OAuth2 flow."""
    subprocess.run(
        [campagne(), "users", "create", STAFF_EMAIL, "--role", "staff", "--region", "gers",
         "--password-stdin", "--db", database_url],
        input=STAFF_PASSWORD.encode(), cwd=folder, env={**os.environ, **ENVIRONMENT},
        check=True, capture_output=True)
    form = urllib.parse.urlencode({"username": STAFF_EMAIL, "password": STAFF_PASSWORD})
    request = urllib.request.Request(f"{url}/api/v1/auth/token", data=form.encode())
    with urllib.request.urlopen(request, timeout=10) as answer:
        token: str = json.load(answer)["access_token"]
        return token


def schemathesis(url: str, args: argparse.Namespace, token: str | None) -> int:
    """Run ``st run`` with its default checks; return its exit code."""
    st = shutil.which("st", path=str(Path(sys.executable).parent)) or "st"
    command = [st, "run", f"{url}/openapi.json", "--workers", "1",
               "--max-examples", str(args.max_examples), "--seed", str(args.seed),
               "--request-timeout", "30", "--no-color"]
    for path in EXCLUDED_PATHS:
        command += ["--exclude-path", path]
    if token:
        command += ["--header", f"Authorization: Bearer {token}"]
    print("$", " ".join(command).replace(token or "\0", "[token]"), flush=True)
    return subprocess.run(command, check=False).returncode


def run_backend(backend: str, args: argparse.Namespace) -> int:
    """Both runs (anonymous, staff) against a demo server on ``backend``; 0 when clean."""
    with tempfile.TemporaryDirectory(prefix=f"campagne-fuzz-{backend}-") as name:
        folder = Path(name)
        if backend == "sqlite":
            database_url = f"sqlite:///{folder / 'fuzz.db'}"
        else:
            database_url = postgres_url(os.environ["CAMPAGNE_TEST_POSTGRES_URL"],
                                        f"campagne_fuzz_{os.getpid()}")
        with demo_server(database_url, folder) as url:
            token = staff_token(url, database_url, folder)
            failures = 0
            for caller, credentials in (("anonymous", None), ("staff of the Gers", token)):
                print(f"== schemathesis on {backend}, {caller}", flush=True)
                failures += schemathesis(url, args, credentials) != 0
            if failures:
                print((folder / "server.log").read_text(errors="replace")[-20000:])
            return failures


def main() -> int:
    """Fuzz the API on every configured backend."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], action="append")
    args = parser.parse_args()
    backends = args.backend or ["sqlite", "postgresql"]
    if "postgresql" in backends and not os.environ.get("CAMPAGNE_TEST_POSTGRES_URL"):
        if os.environ.get("CI"):
            raise SystemExit("CI: CAMPAGNE_TEST_POSTGRES_URL is not set")
        print("skipping PostgreSQL: set CAMPAGNE_TEST_POSTGRES_URL to fuzz it too")
        backends = [b for b in backends if b != "postgresql"]
    failed = [backend for backend in backends if run_backend(backend, args)]
    print("schemathesis:", f"failures on {', '.join(failed)}" if failed else "no failure")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
