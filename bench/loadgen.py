"""Closed-loop HTTP load generator: a fixed number of connections, each sending one GET
after the other (HTTP/1.1 keep-alive) for a warm-up, then for a measured duration.

Run by ``bench/run.py`` as its own process, so that it does not share an interpreter (and
its GIL) with the server it measures; prints one JSON object on standard output.

Two clients are available:

* ``raw`` (default): a minimal HTTP/1.1 client over asyncio streams, enough for the
  answers of uvicorn (``Content-Length`` or chunked bodies). It costs the load generator
  far less CPU than a full client, so that the measured server, not the client, is the
  bottleneck on a small machine.
* ``httpx``: ``httpx.AsyncClient`` (``pip install .[test]``), a full client, to cross-check
  the raw one; its own cost per request is higher.

Every loop is bounded: by the duration, by ``--max-requests``, and by a timeout on each
request. Only loopback addresses are accepted.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

REQUEST_TIMEOUT = 10.0


@dataclass
class Stats:
    """What the connections observed while measuring."""

    latencies: list[float] = field(default_factory=list)
    warmup_answers: int = 0
    errors: int = 0
    bad_status: int = 0
    body_bytes: int = 0
    first_error: str = ""


@dataclass
class Target:
    """Where to send the requests."""

    host: str
    port: int
    path: str


def parse_target(url: str) -> Target:
    """Split ``url``; refuse anything but a loopback address."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme != "http" or not parts.port:
        raise SystemExit(f"loadgen: expected http://127.0.0.1:PORT/path, got {url}")
    if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        raise SystemExit(f"loadgen: only loopback addresses may be loaded, not {host}")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(host=host, port=parts.port, path=path)


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> int:
    """Read the body that follows ``headers``; return its length."""
    if "content-length" in headers:
        length = int(headers["content-length"])
        await reader.readexactly(length)
        return length
    if headers.get("transfer-encoding", "").lower() == "chunked":
        total = 0
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)  # the chunk and its CRLF
            total += size
            if size == 0:
                return total
    raise ValueError("answer without Content-Length nor chunked encoding")


async def _raw_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                       request: bytes) -> tuple[int, int, bool]:
    """Send one request on an open connection; return status, body size, keep-alive."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    size = await _read_body(reader, headers)
    return status, size, headers.get("connection", "").lower() != "close"


class Run:
    """Shared state of one load run: the phase and the deadline."""

    def __init__(self, warmup: float, duration: float, max_requests: int) -> None:
        self.start = time.perf_counter()
        self.measure_from = self.start + warmup
        self.stop_at = self.measure_from + duration
        self.max_requests = max_requests
        self.stats = Stats()

    def keep_going(self) -> bool:
        """False once the duration is over or the cap on requests is reached."""
        if len(self.stats.latencies) >= self.max_requests:
            return False
        return time.perf_counter() < self.stop_at

    def record(self, began: float, status: int, size: int) -> None:
        """Count one answer if it began inside the measured window."""
        if began < self.measure_from:
            self.stats.warmup_answers += 1
            return
        self.stats.latencies.append(time.perf_counter() - began)
        self.stats.body_bytes += size
        if status != 200:
            self.stats.bad_status += 1

    def error(self, began: float, exc: BaseException) -> None:
        """Count a failed request (measured window only)."""
        if began >= self.measure_from:
            self.stats.errors += 1
            self.stats.first_error = self.stats.first_error or f"{type(exc).__name__}: {exc}"


async def raw_connection(target: Target, run: Run) -> None:
    """One connection sending requests one after the other, reconnecting if it must."""
    request = (f"GET {target.path} HTTP/1.1\r\nHost: {target.host}:{target.port}\r\n"
               "Accept: */*\r\nUser-Agent: campagne-bench\r\n\r\n").encode("ascii")
    stream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    try:
        while run.keep_going():
            began = time.perf_counter()
            try:
                if stream is None:
                    stream = await asyncio.wait_for(
                        asyncio.open_connection(target.host, target.port), REQUEST_TIMEOUT)
                status, size, keep_alive = await asyncio.wait_for(
                    _raw_request(*stream, request), REQUEST_TIMEOUT)
            except (OSError, ValueError, TimeoutError, asyncio.IncompleteReadError) as exc:
                run.error(began, exc)
                if stream is not None:
                    stream[1].close()
                stream = None
                await asyncio.sleep(0.01)  # do not spin on a refused connection
                continue
            run.record(began, status, size)
            if not keep_alive:
                stream[1].close()
                stream = None
    finally:
        if stream is not None:
            stream[1].close()


async def httpx_connections(url: str, run: Run, concurrency: int) -> None:
    """``concurrency`` loops sharing one ``httpx.AsyncClient`` limited to as many connections."""
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    # trust_env=False: no proxy from the environment, the requests stay on loopback.
    async with httpx.AsyncClient(limits=limits, timeout=REQUEST_TIMEOUT,
                                 trust_env=False) as client:

        async def loop() -> None:
            while run.keep_going():
                began = time.perf_counter()
                try:
                    response = await client.get(url)
                except httpx.HTTPError as exc:
                    run.error(began, exc)
                    await asyncio.sleep(0.01)
                    continue
                run.record(began, response.status_code, len(response.content))

        await asyncio.gather(*(loop() for _ in range(concurrency)))


def percentile(ordered: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``ordered`` (not empty) lies (nearest rank)."""
    rank = max(1, round(fraction * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


async def main_async(args: argparse.Namespace) -> dict[str, object]:
    """Run the load and summarise it."""
    target = parse_target(args.url)
    cpu_before, wall_before = time.process_time(), time.perf_counter()
    run = Run(args.warmup, args.duration, args.max_requests)
    if args.client == "httpx":
        await httpx_connections(args.url, run, args.concurrency)
    else:
        await asyncio.gather(*(raw_connection(target, run) for _ in range(args.concurrency)))
    # Until the last answer: requests begun before the deadline are awaited and counted.
    elapsed = max(time.perf_counter() - run.measure_from, 1e-9)
    client_cpu = (time.process_time() - cpu_before) / (time.perf_counter() - wall_before)
    ordered = sorted(run.stats.latencies)
    answered = len(ordered)
    if not answered:
        raise SystemExit(f"loadgen: no answer from {args.url}: {run.stats.first_error}")
    return {
        "url": args.url,
        "client": args.client,
        "concurrency": args.concurrency,
        "warmup_s": args.warmup,
        "elapsed_s": round(elapsed, 3),
        "requests": answered,
        "warmup_requests": run.stats.warmup_answers,
        "errors": run.stats.errors,
        "non_200": run.stats.bad_status,
        "first_error": run.stats.first_error,
        "mean_body_bytes": round(run.stats.body_bytes / answered),
        "rps": answered / elapsed,
        "p50_ms": percentile(ordered, 0.50) * 1000,
        "p95_ms": percentile(ordered, 0.95) * 1000,
        "p99_ms": percentile(ordered, 0.99) * 1000,
        "max_ms": ordered[-1] * 1000,
        "client_cpu": round(client_cpu, 3),
    }


def build_parser() -> argparse.ArgumentParser:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="http://127.0.0.1:PORT/path (loopback only)")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds (10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first (2)")
    parser.add_argument("--concurrency", type=int, default=8, help="connections (8)")
    parser.add_argument("--max-requests", type=int, default=500_000,
                        help="stop measuring after this many answers (500000)")
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw",
                        help="HTTP client (raw)")
    return parser


def main() -> int:
    """Entry point: print the summary as JSON."""
    args = build_parser().parse_args()
    if not 0 < args.duration <= 600 or not 0 <= args.warmup <= 120:
        raise SystemExit("loadgen: duration must be in (0, 600] s and warm-up in [0, 120] s")
    if not 1 <= args.concurrency <= 256:
        raise SystemExit("loadgen: concurrency must be between 1 and 256")
    result = asyncio.run(main_async(args))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
