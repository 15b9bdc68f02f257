"""What the benchmark scripts share: a free loopback port and an empty database."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import httpx

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


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux), or None where it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int, field: str) -> float:
    """``VmHWM`` (peak) or ``VmRSS`` (now) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for process {pid}")


def wait_for(base: str, server: subprocess.Popen[bytes], seconds: float = 120) -> None:
    """Wait until the server at ``base`` answers ``/healthz``; raise if it stops first or
    does not answer within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server did not start")
        try:
            if httpx.get(f"{base}/healthz", trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer in time")
