"""Test helpers for spaces: serve an instance behind uvicorn in a thread."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from campagne.app import create_app
from campagne.instance import Instance
from campagne.testing import served


@contextmanager
def threaded_server(instance: Instance) -> Iterator[str]:
    """The app behind uvicorn in a thread (one process; sync routes run on its thread pool,
    each request on its own database connection); yields the base URL."""
    with served(create_app(instance), "spaces-live-server") as url:
        yield url
