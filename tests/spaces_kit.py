"""Test helpers for spaces: serve an instance behind uvicorn in a thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from campagne.app import create_app
from campagne.instance import Instance


@contextmanager
def threaded_server(instance: Instance) -> Iterator[str]:
    """The app behind uvicorn in a thread (one process; sync routes run on its thread pool,
    each request on its own database connection); yields the base URL."""
    config = uvicorn.Config(create_app(instance), host="127.0.0.1", port=0,
                            log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="spaces-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
