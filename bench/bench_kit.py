"""What the benchmark scripts share: a free loopback port and an empty database."""

from __future__ import annotations

import socket
from pathlib import Path

from campagne.testing_plugin import fresh_postgres_schema


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def empty_database(url: str | None, folder: Path, *, schema: str, filename: str) -> str:
    """An empty database: ``filename`` in ``folder`` for SQLite (``url`` unset or SQLite),
    else ``schema`` emptied on the given PostgreSQL server."""
    if url is None or url.startswith("sqlite"):
        return f"sqlite:///{folder / filename}"
    return fresh_postgres_schema(url, schema)
