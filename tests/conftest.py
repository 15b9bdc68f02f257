"""The suite's own fixtures: the short names it uses for the region kits, and a client
serving the reference regions with demo data.

The generic fixtures (``region_kit``, ``database_url``, ``postgres_url``, ``reference_paths``,
``reference_region_copy``, ``chromium``) come from Campagne's pytest plug-in,
``campagne.testing_plugin``, registered by the installed package's ``pytest11`` entry point
(not named here again: it would be registered twice)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from campagne.app import create_app
from campagne.demo import generate_region_demo
from campagne.instance import Instance
from campagne.models import Region
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit, served
from campagne.testing_plugin import BACKENDS, SCHEMA_PREFIX, backend_database_url

# Argon2 at its lowest cost and a fixed key, in tests only, so the suite stays fast and
# never writes a key file into the working folder.
os.environ.setdefault("CAMPAGNE_ARGON2_TIME_COST", "1")
os.environ.setdefault("CAMPAGNE_ARGON2_MEMORY_KIB", "8")
os.environ.setdefault("CAMPAGNE_ARGON2_PARALLELISM", "1")
os.environ.setdefault("CAMPAGNE_SECRET_KEY", "test-only-key-0123456789abcdefghijklmnopqrstuvwxyz")


@pytest.fixture
def kit(region_kit: RegionKit) -> RegionKit:
    """A region kit on SQLite (the default backend), in a temporary folder."""
    return region_kit


@pytest.fixture
def db_kit(backend_region_kit: RegionKit) -> RegionKit:
    """A region kit on each database backend."""
    return backend_region_kit


def _demo_members(instance: Instance) -> Instance:
    """Give the regions of ``instance`` their demo data (members, then the features')."""
    with Session(instance.engine) as session:
        for slug in instance.regions:
            region = session.exec(select(Region).where(Region.slug == slug)).one()
            generate_region_demo(instance, session, region)
        session.commit()
    return instance


@pytest.fixture(scope="session", params=BACKENDS)
def shared_demo_client(request: pytest.FixtureRequest,
                       tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client for the reference regions with demo members, built once per backend."""
    folder = tmp_path_factory.mktemp(f"demo-{request.param}")
    url = backend_database_url(request, request.param, folder, f"{SCHEMA_PREFIX}_demo")
    instance = _demo_members(RegionKit(folder, url).instance(reference_region_paths()))
    with TestClient(create_app(instance), raise_server_exceptions=False) as client:
        yield client
    instance.engine.dispose()


@pytest.fixture
def demo_client(shared_demo_client: TestClient) -> Iterator[TestClient]:
    """The shared demo client, with no cookie from an earlier test (a language cookie left
    by one test would change the language of the next one, in whatever order they run).

    Read-only tests share it; tests that change data build their own instance.
    """
    shared_demo_client.cookies.clear()
    yield shared_demo_client
    shared_demo_client.cookies.clear()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The reference regions with demo data behind a real HTTP server (uvicorn, in a
    thread, on a free loopback port; SQLite); yields the base URL."""
    folder = tmp_path_factory.mktemp("live")
    instance = _demo_members(RegionKit(folder).instance(reference_region_paths()))
    try:
        with served(create_app(instance), "live-server") as url:
            yield url
    finally:
        instance.engine.dispose()

