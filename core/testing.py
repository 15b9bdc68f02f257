"""A kit for testing regions and plug-ins: build a throwaway region folder from a
dict of files, load it, and talk to it through a test client.

Use it from a plug-in's own tests::

    from campagne.testing import RegionKit

    def test_my_incentive(tmp_path):
        kit = RegionKit(tmp_path)
        folder = kit.region("lot", plugins={"bonus.py": BONUS_SOURCE})
        with kit.client([folder]) as client:
            names = [plugin["name"] for plugin in client.get("/api/v1/plugins").json()]
            assert "lot.bonus" in names

Only ``httpx`` is needed besides Campagne (``pip install campagne[test]``).
"""

from __future__ import annotations

import copy
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
import yaml
from fastapi.testclient import TestClient
from sqlmodel import Session

from campagne.app import create_app
from campagne.instance import Instance, load_instance
from campagne.plugin_migrations import upgrade_all
from campagne.regions import reference_region_paths
from campagne.settings import CampagneSettings
from campagne.sync import sync_instance

# What the ``reference_region_copy`` fixture gives: ``copy(slug, **top_level_keys) -> folder``.
ReferenceCopy = Callable[..., Path]

MINIMAL_REGION: dict[str, Any] = {
    "slug": "lot",
    "code": "46",
    "name": "Lot",
    "administrative_region": "Occitanie",
    "programme": {
        "name": "Programme d'essai",
        "operator": "CCI d'essai",
        "audience": {"fr": "Indépendants", "en": "Independents"},
        "description": {"fr": "Un programme d'essai.", "en": "A test programme."},
    },
    "services": [{
        "slug": "accueil",
        "category": "welcome",
        "name": {"fr": "Accueil", "en": "Welcome"},
        "description": {"fr": "On vous accueille.", "en": "You are welcomed."},
        "delivered_by": "CCI d'essai",
    }],
}


def minimal_region(slug: str = "lot", code: str = "46", **overrides: Any) -> dict[str, Any]:
    """A valid ``region.yaml`` content, with top-level keys replaced by ``overrides``."""
    data = copy.deepcopy(MINIMAL_REGION)
    data.update(slug=slug, code=code, name=slug.capitalize(), **overrides)
    return data


#: Argon2 parameters of the kit's instances: the cheapest Argon2id accepts, since a test's
#: passwords protect nothing and a suite signs in hundreds of times. A test that sets
#: ``CAMPAGNE_ARGON2_*`` or production mode gets the settings it asked for.
TEST_ARGON2_TIME_COST, TEST_ARGON2_MEMORY_KIB, TEST_ARGON2_PARALLELISM = 1, 8, 1


class RegionKit:
    """Builds region folders under ``root`` and serves them on a fresh database (with
    fast password hashing: ``TEST_ARGON2_*``)."""

    def __init__(self, root: Path, database_url: str | None = None) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.database_url = database_url or f"sqlite:///{root / 'campagne-test.db'}"

    def region(self, slug: str = "lot", *, config: dict[str, Any] | str | None = None,
               plugins: dict[str, str] | None = None,
               templates: dict[str, str] | None = None, code: str = "46") -> Path:
        """Write a region folder; ``config`` is a dict (dumped to YAML) or raw YAML text."""
        folder = self.root / slug
        folder.mkdir(parents=True, exist_ok=True)
        content = config if config is not None else minimal_region(slug, code)
        text = content if isinstance(content, str) else yaml.safe_dump(
            content, allow_unicode=True, sort_keys=False)
        (folder / "region.yaml").write_text(text, encoding="utf-8")
        for kind, files in (("plugins", plugins), ("templates", templates)):
            for name, source in (files or {}).items():
                path = folder / kind / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(source, encoding="utf-8")
        return folder

    def reference_copy(self, slug: str, **keys: Any) -> Path:
        """Copy the reference region ``slug`` (``gers``, ``orne``) under ``root``, its
        top-level ``region.yaml`` keys replaced by ``keys``; return the folder."""
        source = next(path for path in reference_region_paths() if path.name == slug)
        folder = self.root / slug
        shutil.copytree(source, folder)
        config_file = folder / "region.yaml"
        config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
        config.update(keys)
        config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                               encoding="utf-8")
        return folder

    def instance(self, folders: list[Path], *, load_entry_points: bool = False) -> Instance:
        """Load the folders, migrate the database and copy the configuration into it."""
        settings = CampagneSettings(database_url=self.database_url,
                                    load_entry_points=load_entry_points)
        if not settings.production and not any(
                name.startswith("CAMPAGNE_ARGON2_") for name in os.environ):
            settings = settings.model_copy(update={
                "argon2_time_cost": TEST_ARGON2_TIME_COST,
                "argon2_memory_kib": TEST_ARGON2_MEMORY_KIB,
                "argon2_parallelism": TEST_ARGON2_PARALLELISM})
        instance = load_instance(settings, folders)
        upgrade_all(instance.engine, instance.plugins)  # the engine's and plug-ins' tables
        with Session(instance.engine) as session:
            sync_instance(instance, session)
            session.commit()
        return instance

    @contextmanager
    def client(self, folders: list[Path], *, load_entry_points: bool = False
               ) -> Iterator[TestClient]:
        """A test client for an app serving ``folders``."""
        instance = self.instance(folders, load_entry_points=load_entry_points)
        try:
            with TestClient(create_app(instance), raise_server_exceptions=False) as client:
                yield client
        finally:
            instance.engine.dispose()


@contextmanager
def served(app: Any, name: str = "campagne-test-server", timeout: float = 30) -> Iterator[str]:
    """Serve ``app`` (any ASGI application) with uvicorn in a thread, on a free loopback
    port; yield its base URL, and stop the server when the block ends."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"{name} did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
