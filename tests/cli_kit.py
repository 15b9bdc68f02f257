"""The ``campagne`` command as a user runs it, for the tests: a real process serving on a
free loopback port, stopped when the block ends."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

STARTUP_SECONDS = 300


def campagne_command() -> list[str]:
    """How to run the ``campagne`` command of this environment."""
    found = shutil.which("campagne", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "campagne.cli"]


def free_port() -> int:
    """A loopback port free at the time of asking."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, bytes]:
    """The status and body of a GET of ``url``."""
    with urllib.request.urlopen(url, timeout=60) as answer:
        return answer.status, answer.read()


@contextmanager
def running(args: list[str], cwd: Path) -> Iterator[str]:
    """Start ``campagne ARGS --port P`` and yield its base URL once /healthz answers."""
    port = free_port()
    env = {**os.environ, "CAMPAGNE_LOAD_ENTRY_POINTS": "false"}
    process = subprocess.Popen([*campagne_command(), *args, "--port", str(port)], cwd=cwd, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"server exited with {process.returncode}:\n{output}")
            try:
                if get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("server did not answer /healthz in time")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
