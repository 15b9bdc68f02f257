"""Member instances for the hub's benchmark, all in this one process on loopback: healthy
ones answering ``/api/v1/regions`` and each region's ``/stats`` with the bytes and headers
a real Campagne instance sent (read from ``--documents``, served from memory) after an
added latency, and hanging ones that accept a connection, read what comes and never
answer. Each listens on its own port of 127.0.0.1. Started by ``bench/hub.py``::

    python bench/hub_members.py --documents docs.json --healthy 101 --hanging 5

It prints one JSON line, ``{"healthy": [ports], "hanging": [ports]}``, then serves until
its standard input closes or ``--lifetime`` seconds have passed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import threading
from pathlib import Path
from typing import Any

MAX_HEAD = 16_384  # bytes of request line and headers read at most


def load_routes(path: Path) -> dict[str, bytes]:
    """The whole answers (status line, headers, body) by path, from ``path``: the
    documents ``bench/hub.py`` read from a demo instance."""
    documents: dict[str, Any] = json.loads(path.read_text())
    routes = {}
    for target, answer in documents.items():
        body = answer["body"].encode()
        head = [f"HTTP/1.1 {answer['status']} OK"]
        head += [f"{name}: {value}" for name, value in answer["headers"]]
        head += [f"content-length: {len(body)}", "", ""]
        routes[target] = "\r\n".join(head).encode() + body
    return routes


NOT_FOUND = (b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n"
             b"content-length: 22\r\n\r\n{\"detail\":\"Not Found\"}")


def healthy(routes: dict[str, bytes], latency: float) -> Any:
    """A connection handler answering ``routes`` after ``latency`` seconds, keep-alive."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                target = head.split(b" ", 2)[1].decode("latin-1")
                await asyncio.sleep(latency)
                writer.write(routes.get(target, NOT_FOUND))
                await writer.drain()
                if b"connection: close" in head.lower():
                    break
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError,
                IndexError):
            pass  # the client closed, or sent something this server does not read
        finally:
            writer.close()

    return handle


async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Accept, read whatever comes, never answer; close when the client does."""
    try:
        while await reader.read(65_536):
            pass
    except ConnectionError:
        pass
    finally:
        writer.close()


async def serve(routes: dict[str, bytes], healthy_count: int, hanging_count: int,
                latency: float, lifetime: float, stop: asyncio.Event) -> None:
    """Listen, print the ports, serve until ``stop`` or ``lifetime``."""
    handler = healthy(routes, latency)
    servers = [await asyncio.start_server(handler, "127.0.0.1", 0, limit=MAX_HEAD,
                                          backlog=128) for _ in range(healthy_count)]
    hanging = [await asyncio.start_server(hang, "127.0.0.1", 0, backlog=128)
               for _ in range(hanging_count)]

    def ports(group: list[asyncio.Server]) -> list[int]:
        return [server.sockets[0].getsockname()[1] for server in group]

    print(json.dumps({"healthy": ports(servers), "hanging": ports(hanging)}), flush=True)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=lifetime)
    for server in servers + hanging:
        server.close()


def main() -> int:
    """Serve the member instances until standard input closes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=Path, required=True)
    parser.add_argument("--healthy", type=int, required=True)
    parser.add_argument("--hanging", type=int, default=0)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--lifetime", type=float, default=1800,
                        help="stop by itself after this many seconds (1800)")
    args = parser.parse_args()
    routes = load_routes(args.documents)

    async def run() -> None:
        stop, loop = asyncio.Event(), asyncio.get_running_loop()

        def wait_for_parent() -> None:  # the parent closes our standard input to stop us
            sys.stdin.read()
            loop.call_soon_threadsafe(stop.set)

        threading.Thread(target=wait_for_parent, daemon=True).start()
        await serve(routes, args.healthy, args.hanging, args.latency_ms / 1000,
                    args.lifetime, stop)

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
