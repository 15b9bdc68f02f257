"""Benchmark Campagne's region page and services API against a minimal FastAPI baseline.

One command::

    python bench/run.py [--duration 10] [--concurrency 8] [--json results.json]

1. Starts a Campagne demo instance (reference regions, generated members, SQLite in a
   temporary folder) under uvicorn with one worker, measures the size of ``GET /gers/`` and
   of ``GET /api/v1/regions/gers/services``, then loads each endpoint in turn (warm-up, then
   a fixed duration at a fixed concurrency) from a separate load-generator process, and
   stops the server.
2. Starts the baseline (``bench/baseline_app.py``: FastAPI + Jinja2, a page and a JSON
   answer padded to the same sizes), checks the sizes (within 5 %), loads it the same way,
   and stops it.
3. Prints requests per second and latencies (p50, p95, p99) of each endpoint of each
   application, and the ratios Campagne / baseline.

The two servers never run at the same time, so that each has one of the two cores while
the load generator has the other. Exit status: 0 when everything ran (the ratios are
figures, not a test), 1 when a server did not start or a measurement got errors.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from bench_kit import cpu_seconds

BENCH = Path(__file__).resolve().parent
PYTHON = sys.executable
TARGET_RATIO = 0.80
SIZE_TOLERANCE = 0.05
STARTUP_TIMEOUT = 120.0
STOP_TIMEOUT = 10.0


class BenchError(Exception):
    """Something the benchmark needs did not work (a server did not start...)."""


@dataclass(frozen=True)
class Endpoint:
    """One measured endpoint of one application."""

    key: str
    label: str
    path: str


CAMPAGNE_ENDPOINTS = (
    Endpoint("page", "region page", "/gers/"),
    Endpoint("json", "services JSON", "/api/v1/regions/gers/services"),
)
BASELINE_ENDPOINTS = (
    Endpoint("page", "region page", "/page"),
    Endpoint("json", "services JSON", "/data"),
)


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# No proxy from the environment: every request of the benchmark stays on loopback.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url: str, timeout: float = 10.0) -> tuple[int, bytes]:
    """GET ``url``; return the status and the body (an error status is returned, not raised)."""
    try:
        with OPENER.open(url, timeout=timeout) as answer:
            return int(answer.status), bytes(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class Server:
    """A server subprocess on a free loopback port, always stopped on exit."""

    def __init__(self, name: str, command: list[str], port: int, log: Path) -> None:
        self.name = name
        self.command = command
        self.port = port
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, path: str) -> str:
        """The address of ``path`` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def pid(self) -> int:
        """The process id of the running server."""
        if self.process is None:
            raise BenchError(f"{self.name} is not running")
        return self.process.pid

    def start(self, ready_path: str) -> None:
        """Start the server and wait (bounded) until ``ready_path`` answers 200."""
        with self.log.open("wb") as log:
            # A session of its own: a Ctrl-C in the terminal reaches this script only,
            # which then stops the server itself (see stop()).
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"{self.name} exited with status {self.process.returncode}"
                                 f" while starting:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                status, _ = fetch(self.url(ready_path), timeout=2.0)
                if status == 200:
                    return
            time.sleep(0.2)
        raise BenchError(f"{self.name} did not answer within {STARTUP_TIMEOUT:.0f} s:\n"
                         f"{self.log_tail()}")

    def stop(self) -> None:
        """Stop the server: SIGTERM (uvicorn shuts down cleanly), then SIGKILL if need be."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)

    def log_tail(self, lines: int = 30) -> str:
        """The end of the server's output."""
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no output)"
        return "\n".join(text.splitlines()[-lines:]) or "(no output)"

    @contextlib.contextmanager
    def running(self, ready_path: str) -> Iterator[Server]:
        """Start the server for the duration of the block; stop it whatever happens."""
        try:
            self.start(ready_path)
            yield self
        finally:
            self.stop()


def wrk_command(url: str, seconds: float, concurrency: int) -> list[str]:
    """``wrk`` on one thread (the other core is the server's), reporting in JSON."""
    return ["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s",
            "--timeout", "10s", "-s", str(BENCH / "wrk_report.lua"), url]


def run_wrk(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """One measured run of ``wrk``, in the terms of bench/loadgen.py's report."""
    limit = args.duration + 60
    cpu_before = os.times()
    done = subprocess.run(wrk_command(url, args.duration, args.concurrency),
                          capture_output=True, text=True, check=True, timeout=limit,
                          stdin=subprocess.DEVNULL)
    cpu_after = os.times()
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    seconds = report["duration_us"] / 1e6
    client_cpu = ((cpu_after.children_user + cpu_after.children_system)
                  - (cpu_before.children_user + cpu_before.children_system)) / seconds
    answered = report["requests"]
    return {"url": url, "client": "wrk", "concurrency": args.concurrency,
            "warmup_s": args.warmup, "elapsed_s": round(seconds, 3), "requests": answered,
            # wrk does not count its warm-up's answers: the server's CPU per answer is
            # taken over the measured run only (see load()).
            "warmup_requests": None,
            "errors": sum(report[key] for key in ("connect_errors", "read_errors",
                                                  "write_errors", "timeouts")),
            "non_200": report["non_2xx"], "first_error": None,
            "mean_body_bytes": None, "rps": answered / seconds,
            "p50_ms": report["p50_us"] / 1000, "p95_ms": report["p95_us"] / 1000,
            "p99_ms": report["p99_us"] / 1000, "max_ms": report["max_us"] / 1000,
            "client_cpu": round(client_cpu, 3)}


def load(server: Server, endpoint: Endpoint, args: argparse.Namespace) -> dict[str, Any]:
    """Run the load generator against one endpoint; add the server's CPU use."""
    if args.client == "wrk":
        return _load_with_wrk(server, endpoint, args)
    command = [PYTHON, str(BENCH / "loadgen.py"), server.url(endpoint.path),
               "--duration", str(args.duration), "--warmup", str(args.warmup),
               "--concurrency", str(args.concurrency), "--client", args.client]
    print(f"  {server.name:<8} {endpoint.label:<14} GET {endpoint.path} "
          f"({args.warmup:g} s warm-up, {args.duration:g} s measured) ...", flush=True)
    cpu_before, wall_before = cpu_seconds(server.pid), time.perf_counter()
    # subprocess.run kills the load generator on a timeout or an interrupt.
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          stdin=subprocess.DEVNULL, start_new_session=True,
                          timeout=args.warmup + args.duration + 60)
    cpu_after, wall = cpu_seconds(server.pid), time.perf_counter() - wall_before
    if done.returncode != 0:
        raise BenchError(f"the load generator failed on {endpoint.path}:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    result["server_cpu"] = result["server_cpu_ms"] = None
    if cpu_before is not None and cpu_after is not None:
        # Share of one core used by the server during the run, and its CPU time per answer
        # (warm-up included): the latter depends little on other processes of the machine.
        result["server_cpu"] = round((cpu_after - cpu_before) / wall, 3)
        answers = result["requests"] + result["warmup_requests"]
        result["server_cpu_ms"] = round((cpu_after - cpu_before) * 1000 / answers, 3)
    return result


def _load_with_wrk(server: Server, endpoint: Endpoint, args: argparse.Namespace
                   ) -> dict[str, Any]:
    print(f"  {server.name:<8} {endpoint.label:<14} GET {endpoint.path} with wrk "
          f"({args.warmup:g} s warm-up, {args.duration:g} s measured) ...", flush=True)
    url = server.url(endpoint.path)
    if args.warmup > 0:
        subprocess.run(wrk_command(url, args.warmup, args.concurrency), capture_output=True,
                       check=True, timeout=args.warmup + 60, stdin=subprocess.DEVNULL)
    cpu_before = cpu_seconds(server.pid)
    result = run_wrk(url, args)
    cpu_after = cpu_seconds(server.pid)
    result["mean_body_bytes"] = len(fetch(url)[1])
    result["server_cpu"] = result["server_cpu_ms"] = None
    if cpu_before is not None and cpu_after is not None:
        result["server_cpu"] = round((cpu_after - cpu_before) / result["elapsed_s"], 3)
        result["server_cpu_ms"] = round((cpu_after - cpu_before) * 1000
                                        / max(1, result["requests"]), 3)
    return result


def measure_campagne(folder: Path, args: argparse.Namespace
                     ) -> tuple[dict[str, dict[str, Any]], dict[str, int]]:
    """Serve the demo instance, measure its answers' sizes, then load each endpoint."""
    port = free_port()
    server = Server("campagne", [PYTHON, str(BENCH / "campagne_server.py"),
                                 "--folder", str(folder), "--port", str(port)],
                    port, folder / "campagne-server.log")
    results: dict[str, dict[str, Any]] = {}
    sizes: dict[str, int] = {}
    with server.running("/healthz"):
        for endpoint in CAMPAGNE_ENDPOINTS:
            status, body = fetch(server.url(endpoint.path))
            if status != 200:
                raise BenchError(f"GET {endpoint.path} answered {status}")
            sizes[endpoint.key] = len(body)
        print(f"  campagne answers: /gers/ {sizes['page']} bytes, "
              f"services {sizes['json']} bytes")
        for endpoint in CAMPAGNE_ENDPOINTS:
            results[endpoint.key] = load(server, endpoint, args)
    return results, sizes


def measure_baseline(folder: Path, sizes: dict[str, int], args: argparse.Namespace
                     ) -> dict[str, dict[str, Any]]:
    """Serve the baseline padded to ``sizes``, check the sizes, then load each endpoint."""
    port = free_port()
    server = Server("baseline", [PYTHON, str(BENCH / "baseline_app.py"), "--port", str(port),
                                 "--html-bytes", str(sizes["page"]),
                                 "--json-bytes", str(sizes["json"]),
                                 *(["--sync"] if args.baseline_sync else [])],
                    port, folder / "baseline-server.log")
    results: dict[str, dict[str, Any]] = {}
    with server.running("/page"):
        for endpoint in BASELINE_ENDPOINTS:
            status, body = fetch(server.url(endpoint.path))
            wanted = sizes[endpoint.key]
            if status != 200 or abs(len(body) - wanted) > SIZE_TOLERANCE * wanted:
                raise BenchError(f"baseline GET {endpoint.path}: status {status}, "
                                 f"{len(body)} bytes where {wanted} (±5 %) were expected")
        for endpoint in BASELINE_ENDPOINTS:
            results[endpoint.key] = load(server, endpoint, args)
    return results


def ratios(campagne: dict[str, Any], baseline: dict[str, Any]) -> dict[str, float | None]:
    """Campagne / baseline: throughput (higher is better), latencies and server CPU time per
    answer (lower is better)."""
    compared: dict[str, float | None] = {}
    for name in ("rps", "p50_ms", "p95_ms", "p99_ms", "server_cpu_ms"):
        mine, theirs = campagne.get(name), baseline.get(name)
        compared[name] = mine / theirs if mine is not None and theirs else None
    return compared


def _cell(value: object, width: int, spec: str) -> str:
    """``value`` formatted with ``spec``, or ``?`` when it is unknown."""
    return f"{value:>{width}{spec}}" if isinstance(value, int | float) else f"{'?':>{width}}"


def print_table(campagne: dict[str, dict[str, Any]], baseline: dict[str, dict[str, Any]],
                compared: dict[str, dict[str, float | None]]) -> None:
    """The results, one block per endpoint."""
    header = (f"{'endpoint':<15}{'app':<10}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
              f"{'bytes':>7}{'answers':>9}{'cpu ms':>8}{'srv cpu':>8}{'cli cpu':>8}")
    print()
    print(header)
    print("-" * len(header))
    for endpoint in CAMPAGNE_ENDPOINTS:
        for name, result in (("campagne", campagne[endpoint.key]),
                             ("baseline", baseline[endpoint.key])):
            print(f"{endpoint.label:<15}{name:<10}{_cell(result['rps'], 8, '.0f')}"
                  f"{_cell(result['p50_ms'], 8, '.2f')}{_cell(result['p95_ms'], 8, '.2f')}"
                  f"{_cell(result['p99_ms'], 8, '.2f')}{result['mean_body_bytes']:>7}"
                  f"{result['requests']:>9}{_cell(result['server_cpu_ms'], 8, '.3f')}"
                  f"{_cell(result['server_cpu'], 8, '.0%')}{_cell(result['client_cpu'], 8, '.0%')}")
        ratio = compared[endpoint.key]
        print(f"{endpoint.label:<15}{'ratio':<10}{_cell(ratio['rps'], 8, '.2f')}"
              f"{_cell(ratio['p50_ms'], 8, '.2f')}{_cell(ratio['p95_ms'], 8, '.2f')}"
              f"{_cell(ratio['p99_ms'], 8, '.2f')}{'':>16}"
              f"{_cell(ratio['server_cpu_ms'], 8, '.2f')}")
        print()
    print("ratio = Campagne / baseline: req/s above 1 is faster; latency and cpu ms above 1 "
          "slower.\ncpu ms: the server's CPU time per answer; srv cpu, cli cpu: share of one "
          "core used\nby the server and by the load generator during the run.")
    page_ratio = compared["page"]["rps"]
    verdict = "met" if page_ratio is not None and page_ratio >= TARGET_RATIO else "NOT met"
    print(f"Target: region page at {TARGET_RATIO:.2f} of the baseline's throughput or better; "
          f"measured {_cell(page_ratio, 0, '.2f')}: {verdict}.")


def environment() -> dict[str, Any]:
    """What the figures depend on besides the code."""
    commit = subprocess.run(["git", "-C", str(BENCH), "describe", "--always", "--dirty"],
                            capture_output=True, text=True, check=False).stdout.strip()
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "uvicorn_loop": "uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
        "uvicorn_http": "httptools" if importlib.util.find_spec("httptools") else "h11",
        "commit": commit or None,
        "load_average_1_5_15": [round(load, 2) for load in os.getloadavg()],
    }


def build_parser() -> argparse.ArgumentParser:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description="Benchmark Campagne's region page and services API against a minimal "
                    "FastAPI + Jinja2 baseline of the same sizes.")
    parser.add_argument("--duration", type=float, default=10.0,
                        help="measured seconds per endpoint (10)")
    parser.add_argument("--warmup", type=float, default=2.0,
                        help="unmeasured seconds of load before each measure (2)")
    parser.add_argument("--concurrency", type=int, default=8,
                        help="connections kept busy by the load generator (8)")
    parser.add_argument("--client", choices=("wrk", "raw", "httpx"),
                        default="wrk" if shutil.which("wrk") else "raw",
                        help="load generator: wrk (Debian's package, the default when "
                             "installed), or bench/loadgen.py's raw or httpx client")
    parser.add_argument("--baseline-sync", action="store_true",
                        help="baseline endpoints as plain def functions (thread pool) "
                             "instead of async ones like Campagne's")
    parser.add_argument("--json", type=Path, metavar="PATH",
                        help="also write the results to this JSON file")
    return parser


def _interrupted(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    """Run both measurements; print them (and write them with ``--json``)."""
    args = build_parser().parse_args(argv)
    if not 0 < args.duration <= 600 or not 0 <= args.warmup <= 120:
        print("run.py: --duration must be in (0, 600] and --warmup in [0, 120]",
              file=sys.stderr)
        return 2
    if not 1 <= args.concurrency <= 256:
        print("run.py: --concurrency must be between 1 and 256", file=sys.stderr)
        return 2
    # Ctrl-C and SIGTERM both end in the cleanup below (SIGINT explicitly, as a shell
    # starts background jobs with it ignored).
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupted)
    started = time.time()
    before = environment()
    busy = before["load_average_1_5_15"][0]
    if busy > 0.5:
        print(f"Note: the machine is already busy (load average {busy:.2f} over one minute); "
              "other processes take CPU from the servers and the figures will vary.")
    try:
        with tempfile.TemporaryDirectory(prefix="campagne-bench-") as temporary:
            folder = Path(temporary)
            print(f"Campagne demo instance (SQLite in {folder}):")
            campagne, sizes = measure_campagne(folder, args)
            print("Baseline (FastAPI + Jinja2, same sizes):")
            baseline = measure_baseline(folder, sizes, args)
    except BenchError as exc:
        print(f"run.py: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("run.py: interrupted; servers stopped.", file=sys.stderr)
        return 130
    compared = {key: ratios(campagne[key], baseline[key]) for key in campagne}
    print_table(campagne, baseline, compared)
    failed = [f"{name} {key}: {result['errors']} errors, {result['non_200']} non-200 answers"
              f" {result['first_error']}".rstrip()
              for name, results in (("campagne", campagne), ("baseline", baseline))
              for key, result in results.items()
              if result["errors"] or result["non_200"] or not result["requests"]]
    if args.json:
        report = {
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
            "settings": {"duration_s": args.duration, "warmup_s": args.warmup,
                         "concurrency": args.concurrency, "client": args.client,
                         "baseline_sync": args.baseline_sync},
            "environment_before": before,
            "environment_after": environment(),
            "sizes_bytes": sizes,
            "campagne": campagne,
            "baseline": baseline,
            "ratios": compared,
            "target": {"page_rps_ratio": TARGET_RATIO,
                       "met": (compared["page"]["rps"] or 0.0) >= TARGET_RATIO},
            "failures": failed,
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"Results written to {args.json}")
    if failed:
        print("run.py: some requests failed, the figures are not valid:\n  "
              + "\n  ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
