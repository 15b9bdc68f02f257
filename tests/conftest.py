"""Shared fixtures: databases (SQLite always, PostgreSQL when configured), region kits,
and a client serving the reference regions with demo data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from campagne.app import create_app
from campagne.db import make_engine
from campagne.demo import generate_region_members
from campagne.instance import Instance
from campagne.models import Region
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit, served

# Argon2 at its lowest cost and a fixed key, in tests only, so the suite stays fast and
# never writes a key file into the working folder.
os.environ.setdefault("CAMPAGNE_ARGON2_TIME_COST", "1")
os.environ.setdefault("CAMPAGNE_ARGON2_MEMORY_KIB", "8")
os.environ.setdefault("CAMPAGNE_ARGON2_PARALLELISM", "1")
os.environ.setdefault("CAMPAGNE_SECRET_KEY", "test-only-key-0123456789abcdefghijklmnopqrstuvwxyz")

POSTGRES_URL = os.environ.get("CAMPAGNE_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgresql"]
# One schema per test process, so that runs in parallel never share tables.
SCHEMA_PREFIX = f"campagne_test_{os.getpid()}"


def _fresh_postgres_schema(url: str, schema: str) -> str:
    """Empty ``schema`` and return a URL whose connections use it (tests stay apart)."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


def _database_url(backend: str, folder: Path, schema: str = SCHEMA_PREFIX) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / 'campagne-test.db'}"
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured: set CAMPAGNE_TEST_POSTGRES_URL "
                    "(for example postgresql://postgres@127.0.0.1:5432/test)")
    return _fresh_postgres_schema(POSTGRES_URL, schema)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend."""
    return _database_url(request.param, tmp_path)


@pytest.fixture
def kit(tmp_path: Path) -> RegionKit:
    """A region kit on SQLite (the default backend), in a temporary folder."""
    return RegionKit(tmp_path / "regions")


@pytest.fixture
def db_kit(tmp_path: Path, database_url: str) -> RegionKit:
    """A region kit on each database backend."""
    return RegionKit(tmp_path / "regions", database_url)


@pytest.fixture(scope="session")
def reference_paths() -> list[Path]:
    """The folders of the reference regions (Gers, Orne)."""
    return reference_region_paths()


@pytest.fixture(scope="session", params=BACKENDS)
def demo_client(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client for the reference regions with demo members, once per backend.

    Read-only tests share it; tests that change data build their own instance.
    """
    folder = tmp_path_factory.mktemp(f"demo-{request.param}")
    kit = RegionKit(folder, _database_url(request.param, folder, f"{SCHEMA_PREFIX}_demo"))
    instance = kit.instance(reference_region_paths())
    with Session(instance.engine) as session:
        for slug, region_folder in instance.regions.items():
            region = session.exec(select(Region).where(Region.slug == slug)).one()
            generate_region_members(session, region, region_folder.config)
        session.commit()
    with TestClient(create_app(instance), raise_server_exceptions=False) as client:
        yield client
    instance.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_schemas() -> Iterator[None]:
    """Remove this run's PostgreSQL schemas at the end."""
    yield
    if not POSTGRES_URL:
        return
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as connection:
        for schema in (SCHEMA_PREFIX, f"{SCHEMA_PREFIX}_demo"):
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def _demo_instance(folder: Path, database_url: str) -> Instance:
    """The reference regions with their demo members, on ``database_url``."""
    instance = RegionKit(folder, database_url).instance(reference_region_paths())
    with Session(instance.engine) as session:
        for slug, region_folder in instance.regions.items():
            region = session.exec(select(Region).where(Region.slug == slug)).one()
            generate_region_members(session, region, region_folder.config)
        session.commit()
    return instance


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The reference regions with demo data behind a real HTTP server (uvicorn, in a
    thread, on a free loopback port; SQLite); yields the base URL."""
    folder = tmp_path_factory.mktemp("live")
    instance = _demo_instance(folder, _database_url("sqlite", folder))
    try:
        with served(create_app(instance), "live-server") as url:
            yield url
    finally:
        instance.engine.dispose()


def pytest_sessionstart(session: pytest.Session) -> None:
    """With CAMPAGNE_TEST_REQUIRE_BROWSER=1 (set by CI), a missing Chromium is an error,
    not a reason to skip the browser tests."""
    if os.environ.get("CAMPAGNE_TEST_REQUIRE_BROWSER") != "1":
        return
    chromium = Path(os.environ.get("CAMPAGNE_CHROMIUM", "/usr/bin/chromium"))
    if not chromium.is_file():
        raise pytest.UsageError(f"CAMPAGNE_TEST_REQUIRE_BROWSER=1 but there is no {chromium}")
