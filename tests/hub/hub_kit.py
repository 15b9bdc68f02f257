"""Member instances on loopback whose every answer a test writes: well-behaved ones and
hostile ones (a body sent one byte at a time, forever; a huge or compressed body; figures
that break the schema). Each is a real HTTP server in a thread, stopped when its block
ends: the stop is awaited, so a stopped instance refuses connections at once."""

from __future__ import annotations

import copy
import gzip
import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from fastapi.testclient import TestClient

from campagne.hub.config import HubConfig

Answer = Callable[[BaseHTTPRequestHandler, threading.Event], None]
HANG_GUARD_SECONDS = 120  # only against a hang: no test waits for it when all is well


def good_stats(slug: str, members: int = 120) -> dict[str, Any]:
    """A valid document of statistics, schema 1."""
    def count(value: int | None, suppressed: bool = False) -> dict[str, Any]:
        return {"value": value, "suppressed": suppressed}

    def table(cells: dict[str, int | None], total: int | None) -> dict[str, Any]:
        return {"total": total, "cells": [{"key": key, "value": value,
                                           "suppressed": value is None}
                                          for key, value in cells.items()]}

    return {
        "schema_version": "1",
        "region": {"slug": slug, "code": "32", "name": slug.title()},
        "period": {"start": None, "end": "2026-01-31"},
        "generated_at": "2026-02-01T08:00:00+00:00",
        "licence": {"name": "Licence Ouverte", "url": "https://www.etalab.gouv.fr/"},
        "disclosure": {"threshold": 11, "rule": "primary", "source": "INSEE"},
        "population": None,
        "indicators": {
            "members_total": count(members),
            "members_per_100k_inhabitants": {"value": None, "unit": "per_100k_inhabitants",
                                             "available": False},
            "arrivals_by_year": table({"2025": 60, "2026": 60}, None),
            "members_by_sector": table({"digital": 100, "crafts": None, "health": None},
                                       members),
            "members_by_origin": table({"Occitanie": members}, members),
            "services_used": table({}, None),
            "meetup_attendance": count(None, suppressed=True),
            "retention": [{"years": 1, "share": 0.9}, {"years": 2, "share": None,
                                                       "suppressed": True}],
            "inquiries_received": count(40),
            "inquiries_converted": count(12),
            "median_days_inquiry_to_settlement": {"value": 31.5, "unit": "days"},
            "desk_occupancy": {"value": 0.42, "unit": "share"},
        },
    }


def changed(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``document`` with the item at ``path`` (dotted, list indexes as numbers)
    set to ``value``."""
    result = copy.deepcopy(document)
    *parents, last = path.split(".")
    target: Any = result
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    target[int(last) if isinstance(target, list) else last] = value
    return result


def json_answer(body: Any, status: int = 200, raw: bytes | None = None,
                headers: dict[str, str] | None = None) -> Answer:
    """Answer ``body`` as JSON (or the bytes ``raw`` as they are)."""
    content = raw if raw is not None else json.dumps(body).encode()

    def answer(handler: BaseHTTPRequestHandler, _stop: threading.Event) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(content)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(content)

    return answer


def trickle(headers_too: bool = False) -> Answer:
    """One byte at a time, until the server stops: the answer never ends. With
    ``headers_too``, even the headers never end."""

    def answer(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
        if not headers_too:
            handler.wfile.write(b"Content-Type: application/json\r\n"
                                b"Content-Length: 1000000\r\n\r\n[")
        while not stop.is_set():
            handler.wfile.write(b"X-Slow: 1\r\n" if headers_too else b" ")
            handler.wfile.flush()
            stop.wait(0.05)

    return answer


def hang(until: threading.Event | None = None) -> Answer:
    """Read the request and send nothing until ``until`` is set (or the server stops);
    then close the connection without an answer."""

    def answer(_handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        while not stop.is_set() and not (until is not None and until.is_set()):
            (until or stop).wait(0.05)

    return answer


def counted(answer: Answer, count: list[int], lock: threading.Lock,
            when: int, then: threading.Event) -> Answer:
    """``answer``, after adding one to ``count[0]``; ``then`` is set at the ``when``-th."""

    def counting(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        with lock:
            count[0] += 1
            if count[0] >= when:
                then.set()
        answer(handler, stop)

    return counting


def huge(megabytes: int, declared: bool = False, compressed: bool = False) -> Answer:
    """A JSON list of ``megabytes`` MB of spaces: sent as it goes (or with its length
    declared), or gzip-compressed (a few kB that unpack to all of it)."""
    chunk = b" " * 65536
    count = megabytes * 1_000_000 // len(chunk)
    packed = gzip.compress(b"[" + chunk * count + b"]") if compressed else b""

    def answer(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if compressed:
            handler.send_header("Content-Encoding", "gzip")
            handler.send_header("Content-Length", str(len(packed)))
        elif declared:
            handler.send_header("Content-Length", str(count * len(chunk) + 2))
        handler.end_headers()
        if compressed:
            handler.wfile.write(packed)
            return
        handler.wfile.write(b"[")
        for _ in range(count):
            if stop.is_set():
                return
            handler.wfile.write(chunk)
        handler.wfile.write(b"]")

    return answer


def serves(slug: str, stats: dict[str, Any] | None = None) -> dict[str, Answer]:
    """The routes of an instance serving one region with ``stats`` (valid by default)."""
    return {"/api/v1/regions": json_answer([{"slug": slug}]),
            f"/api/v1/regions/{slug}/stats": json_answer(stats or good_stats(slug))}


class LoopbackInstance:
    """An HTTP server on a free loopback port answering ``routes`` (404 elsewhere)."""

    def __init__(self, routes: dict[str, Answer]) -> None:
        self.routes = routes
        self.stop = threading.Event()
        kit = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                answer = kit.routes.get(self.path)
                try:
                    if answer is None:
                        json_answer({"detail": "Not Found"}, status=404)(self, kit.stop)
                    else:
                        answer(self, kit.stop)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the hub gave up: what the test wants

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The base address."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> LoopbackInstance:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@contextmanager
def instances(*routes: dict[str, Answer]) -> Iterator[list[str]]:
    """Serve each set of routes as an instance; yield their addresses."""
    servers = [LoopbackInstance(r) for r in routes]
    for server in servers:
        server.__enter__()
    try:
        yield [server.url for server in servers]
    finally:
        for server in servers:
            server.__exit__()


@contextmanager
def closed_port() -> Iterator[str]:
    """The address of a stopped instance: a loopback port held but not listening, so that
    connections are refused at once and no other server can take it meanwhile."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{held.getsockname()[1]}"


def hub_config(urls: list[str], database_url: str, **settings: Any) -> HubConfig:
    """A hub harvesting ``urls`` (named first, second...) into ``database_url``."""
    names = ["first", "second", "third", "fourth", "fifth"]
    return HubConfig.model_validate({
        "instances": [{"name": names[i], "url": url} for i, url in enumerate(urls)],
        "database_url": database_url, "retries": 0, **settings})


def bounded(work: Callable[[], Any]) -> Any:
    """``work()`` in a thread; the test fails instead of hanging if it never returns."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the test below
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(HANG_GUARD_SECONDS)
    if thread.is_alive():
        raise AssertionError(f"still running after {HANG_GUARD_SECONDS} s: it hangs")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def demo_transport(demo_client: TestClient, broken: str | None = None) -> httpx.MockTransport:
    """Answers for gers.test from the demo instance; orne.test as ``broken`` says."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "orne.test" and broken == "down":
            raise httpx.ConnectError("connection refused", request=request)
        path = request.url.path
        if request.url.host == "orne.test" and broken == "invalid" and path.endswith("/stats"):
            return httpx.Response(200, json={"members": 3})
        slug = "gers" if request.url.host == "gers.test" else "orne"
        if path == "/api/v1/regions":
            return httpx.Response(200, json=[{"slug": slug}])
        upstream = demo_client.get(path)
        return httpx.Response(upstream.status_code, content=upstream.content,
                              headers={"content-type": "application/json"})

    return httpx.MockTransport(answer)
