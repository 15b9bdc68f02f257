"""The pytest plug-in of Campagne: fixtures for testing regions and plug-ins.

Installing Campagne registers it through the ``pytest11`` entry point, so any package's
tests can ask for these fixtures without a ``conftest.py``::

    def test_my_plugin(region_kit):
        folder = region_kit.region("lot", plugins={"bonus.py": BONUS_SOURCE})
        with region_kit.client([folder]) as client:
            ...

- ``region_kit``: a :class:`~campagne.testing.RegionKit` on SQLite in a temporary folder;
- ``database_url`` / ``backend_region_kit``: an empty database, a region kit, on each backend
  (SQLite always; PostgreSQL when ``CAMPAGNE_TEST_POSTGRES_URL`` is set, skipped otherwise);
- ``postgres_url``: the PostgreSQL server to test against, or a skip saying how to set it;
- ``reference_paths`` / ``reference_region_copy``: the reference regions, and a copy of one
  with top-level ``region.yaml`` keys replaced;
- ``chromium``: the Chromium executable for browser tests, or a skip saying where it was
  looked for (an error with ``CAMPAGNE_TEST_REQUIRE_BROWSER=1``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from campagne.db import make_engine
from campagne.regions import reference_region_paths
from campagne.testing import ReferenceCopy, RegionKit

BACKENDS = ["sqlite", "postgresql"]
POSTGRES_HINT = ("PostgreSQL not configured: set CAMPAGNE_TEST_POSTGRES_URL "
                 "(for example postgresql://postgres@127.0.0.1:5432/test)")
# One schema per test process, so that runs in parallel never share tables.
SCHEMA_PREFIX = f"campagne_test_{os.getpid()}"


def chromium_path() -> Path:
    """Where the browser tests look for Chromium (``CAMPAGNE_CHROMIUM``, else Debian's)."""
    return Path(os.environ.get("CAMPAGNE_CHROMIUM", "/usr/bin/chromium"))


def browser_required() -> bool:
    """Whether a missing Chromium is an error (``CAMPAGNE_TEST_REQUIRE_BROWSER=1``, as in CI)."""
    return os.environ.get("CAMPAGNE_TEST_REQUIRE_BROWSER") == "1"


def configured_postgres_url() -> str | None:
    """The PostgreSQL server named by ``CAMPAGNE_TEST_POSTGRES_URL``, if any."""
    return os.environ.get("CAMPAGNE_TEST_POSTGRES_URL") or None


def fresh_postgres_schema(url: str, schema: str) -> str:
    """Empty ``schema`` and return a URL whose connections use it (tests stay apart)."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


def backend_database_url(request: pytest.FixtureRequest, backend: str, folder: Path,
                         schema: str = SCHEMA_PREFIX) -> str:
    """An empty database on ``backend``: a file in ``folder`` for SQLite, ``schema``
    (emptied) on the ``postgres_url`` server for PostgreSQL, which skips when unset."""
    if backend == "sqlite":
        return f"sqlite:///{folder / 'campagne-test.db'}"
    url: str = request.getfixturevalue("postgres_url")
    request.getfixturevalue("_campagne_postgres_schemas").add(schema)
    return fresh_postgres_schema(url, schema)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL server named by ``CAMPAGNE_TEST_POSTGRES_URL``; skips when unset."""
    url = configured_postgres_url()
    if not url:
        pytest.skip(POSTGRES_HINT)
    return url


@pytest.fixture(scope="session")
def _campagne_postgres_schemas() -> Iterator[set[str]]:
    """The PostgreSQL schemas this process made, dropped at the end of the session."""
    schemas: set[str] = set()
    yield schemas
    url = configured_postgres_url()
    if not schemas or not url:
        return
    engine = make_engine(url)
    with engine.begin() as connection:
        for schema in sorted(schemas):
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend."""
    return backend_database_url(request, request.param, tmp_path)


@pytest.fixture
def region_kit(tmp_path: Path) -> RegionKit:
    """A region kit on SQLite (the default backend), in a temporary folder."""
    return RegionKit(tmp_path / "regions")


@pytest.fixture
def backend_region_kit(tmp_path: Path, database_url: str) -> RegionKit:
    """A region kit on each database backend."""
    return RegionKit(tmp_path / "regions", database_url)


@pytest.fixture(scope="session")
def reference_paths() -> list[Path]:
    """The folders of the reference regions (Gers, Orne)."""
    return reference_region_paths()


@pytest.fixture
def reference_region_copy(region_kit: RegionKit) -> ReferenceCopy:
    """Copy a reference region under ``region_kit.root``, top-level keys replaced:
    ``reference_region_copy("orne", features={"spaces": False})`` gives the folder."""

    def copy(slug: str, **keys: object) -> Path:
        return region_kit.reference_copy(slug, **keys)

    return copy


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The Chromium executable; skips when it is missing (see ``pytest_sessionstart``)."""
    path = chromium_path()
    if not path.is_file():
        pytest.skip(f"no Chromium at {path} (install Debian's chromium, "
                    "or set CAMPAGNE_CHROMIUM to a Chromium executable)")
    return path


def pytest_sessionstart(session: pytest.Session) -> None:
    """With CAMPAGNE_TEST_REQUIRE_BROWSER=1 (set by CI), a missing Chromium is an error,
    not a reason to skip the browser tests."""
    if browser_required() and not chromium_path().is_file():
        raise pytest.UsageError(
            f"CAMPAGNE_TEST_REQUIRE_BROWSER=1 but there is no {chromium_path()}")
