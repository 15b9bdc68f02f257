"""Benchmark of the network hub's harvest at national scale: one harvest of 101 member
instances 50 ms away, then of 91 of them beside 5 that hang (accept the connection, never
answer) and 5 that refuse connections; each with the hub's default settings and with the
baseline settings (those of before, ``parallel_instances: 4``). One command, from the
repository's root:

    python bench/hub.py                      # SQLite hub database
    python bench/hub.py --db postgresql://postgres@127.0.0.1:5432/test
    python bench/hub.py --baseline-rev 3b34739   # the baseline runs that commit's code too
    python bench/hub.py --baseline-rev 3b34739 --baseline-parallel 32 --scenarios a

A real Campagne demo instance is started once (``bench/campagne_server.py``); its list of
regions and each region's statistics (schema 1) are read with the hub's own headers and
then served from memory, with the same headers, by ``bench/hub_members.py`` (one process,
one loopback port per instance, 50 ms added before every answer). Each harvest runs
``campagne.hub.harvest.harvest`` in a process of its own on a fresh hub database, from a
``HUB.yaml`` written for it, and reports its time, outcomes and peak RSS.

Prints the figures, the ratios baseline / defaults and whether the targets hold; exit 0
when everything ran (the figures are measurements, not a test), 1 when a server did not
start or an instance ended with an outcome it should not have (a healthy one not ``ok``,
a hanging or refusing one not ``unreachable``). On PostgreSQL the run uses (and drops) the
schema ``campagne_bench_hub``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import resource
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SCHEMA = "campagne_bench_hub"
#: What the defaults were before the hub was tuned for national scale.
BASELINE_SETTINGS: dict[str, Any] = {"parallel_instances": 4}
DROPPED_HEADERS = {"date", "server", "content-length", "connection", "transfer-encoding",
                   "keep-alive"}
HARVEST_TIME_LIMIT = 900  # seconds a harvest process may take before it is stopped


# --- The harvesting process ------------------------------------------------------------

def memory_kib(field: str) -> int:
    """``VmRSS`` (resident now) or ``VmHWM`` (peak resident) of this process, in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # not Linux: the peak


def reset_peak_memory() -> None:
    """Start counting the peak resident memory afresh (Linux: ``VmHWM``)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def harvest_once(hub_yaml: Path, out: Path) -> None:
    """Run one harvest for ``hub_yaml`` on its (empty) database; write the figures."""
    from campagne.db import make_engine
    from campagne.hub.config import load_hub_config
    from campagne.hub.db import upgrade_hub
    from campagne.hub.harvest import harvest

    logging.basicConfig(level=logging.ERROR)  # not the warning of each failed instance
    config = load_hub_config(hub_yaml)
    engine = make_engine(config.database_url)
    upgrade_hub(engine)
    ready_kib = memory_kib("VmRSS")
    reset_peak_memory()
    started = time.perf_counter()
    results = harvest(engine, config)
    seconds = time.perf_counter() - started
    peak_kib = memory_kib("VmHWM")
    engine.dispose()
    out.write_text(json.dumps({
        "seconds": seconds, "ready_kib": ready_kib, "peak_kib": peak_kib,
        "results": [{"instance": r.instance, "outcome": r.outcome, "seconds": r.seconds,
                     "regions": r.regions, "error": r.error} for r in results]}))


# --- The documents of a real instance --------------------------------------------------

def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def demo_documents(folder: Path) -> dict[str, Any]:
    """Start a demo instance, read its list of regions and each region's statistics as the
    hub asks for them (status, headers, body), stop it."""
    import httpx

    from campagne.hub.fetch import HEADERS, listed_slugs, parse_json, validated_stats

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(BENCH / "campagne_server.py"), "--folder", str(folder),
         "--port", str(port)], stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(timeout=10, trust_env=False) as client:
            deadline = time.monotonic() + 300
            while True:
                if server.poll() is not None:
                    raise RuntimeError("the demo instance stopped before answering")
                try:
                    listing = client.get(f"{base}/api/v1/regions", headers=HEADERS)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the demo instance did not start in 300 s") from None
                    time.sleep(0.5)
            documents = {"/api/v1/regions": listing}
            for slug in listed_slugs(parse_json(listing.content, "listing")):
                path = f"/api/v1/regions/{slug}/stats"
                documents[path] = client.get(f"{base}{path}", headers=HEADERS)
                validated_stats(parse_json(documents[path].content, path), slug)
    finally:
        server.terminate()
        server.wait(30)
    return {path: {"status": answer.status_code, "body": answer.text,
                   "headers": [(k, v) for k, v in answer.headers.items()
                               if k.lower() not in DROPPED_HEADERS]}
            for path, answer in documents.items()}


# --- The member instances --------------------------------------------------------------

@dataclass
class Members:
    """The addresses of the member instances on loopback."""

    healthy: list[str]
    hanging: list[str]
    refusing: list[str]


@contextmanager
def members(documents: Path, healthy: int, hanging: int, refusing: int,
            latency_ms: float) -> Iterator[Members]:
    """The member instances, served by ``bench/hub_members.py``; refusing ones are loopback
    ports held here, bound but not listening."""
    with ExitStack() as stack:
        held = [stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
                for _ in range(refusing)]
        for sock in held:
            sock.bind(("127.0.0.1", 0))
        process = subprocess.Popen(
            [sys.executable, str(BENCH / "hub_members.py"), "--documents", str(documents),
             "--healthy", str(healthy), "--hanging", str(hanging),
             "--latency-ms", str(latency_ms)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            if not line:
                raise RuntimeError("the member instances did not start")
            ports = json.loads(line)

            def urls(numbers: list[int]) -> list[str]:
                return [f"http://127.0.0.1:{port}" for port in numbers]

            yield Members(urls(ports["healthy"]), urls(ports["hanging"]),
                          urls([sock.getsockname()[1] for sock in held]))
        finally:
            assert process.stdin is not None
            process.stdin.close()  # it stops when its standard input closes
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- One harvest -----------------------------------------------------------------------

@dataclass
class Run:
    """The figures of one harvest."""

    scenario: str
    settings: str
    seconds: float
    outcomes: Counter[str]
    slowest_ok: tuple[str, float]
    peak_mib: float
    harvest_mib: float
    wrong: list[str]


def instance_list(found: Members, healthy: int, hanging: int,
                  refusing: int) -> list[tuple[str, str, str]]:
    """(name, url, expected outcome) of ``healthy`` healthy instances with the hanging and
    refusing ones spread among them."""
    good = [(f"Membre {n + 1:03d}", url, "ok") for n, url in enumerate(found.healthy[:healthy])]
    bad = [(f"Bloque {n + 1}", url, "unreachable")
           for n, url in enumerate(found.hanging[:hanging])]
    bad += [(f"Ferme {n + 1}", url, "unreachable")
            for n, url in enumerate(found.refusing[:refusing])]
    bad.sort(key=lambda item: item[0][-1])  # hanging and refusing in turn
    listed, step = list(good), max(1, len(good) // (len(bad) + 1))
    for n, item in enumerate(bad):
        listed.insert((n + 1) * step + n, item)
    return listed


def run_harvest(folder: Path, name: str, listed: list[tuple[str, str, str]],
                settings: dict[str, Any], label: str, database_url: str,
                code: Path | None) -> Run:
    """Write a HUB.yaml and harvest it once in a process of its own."""
    hub_yaml, out = folder / f"{name}.yaml", folder / f"{name}.json"
    config = {"instances": [{"name": n, "url": u} for n, u, _ in listed],
              "database_url": database_url, **settings}
    hub_yaml.write_text(json.dumps(config, indent=1))  # JSON is YAML
    environment = dict(os.environ)
    if code is not None:  # the baseline's code first on the path
        environment["PYTHONPATH"] = os.pathsep.join(
            [str(code), *filter(None, [environment.get("PYTHONPATH")])])
    subprocess.run([sys.executable, str(BENCH / "hub.py"), "--harvest-once", str(hub_yaml),
                    "--out", str(out)], check=True, env=environment,
                   timeout=HARVEST_TIME_LIMIT)
    figures = json.loads(out.read_text())
    expected = {n: outcome for n, _, outcome in listed}
    results = figures["results"]
    ok = [r for r in results if r["outcome"] == "ok"] or [{"instance": "-", "seconds": 0.0}]
    slowest = max(ok, key=lambda r: r["seconds"])
    return Run(
        scenario=name.split("-")[0], settings=label, seconds=figures["seconds"],
        outcomes=Counter(r["outcome"] for r in results),
        slowest_ok=(slowest["instance"], slowest["seconds"]),
        peak_mib=figures["peak_kib"] / 1024,
        harvest_mib=(figures["peak_kib"] - figures["ready_kib"]) / 1024,
        wrong=[f"{r['instance']}: {r['outcome']} ({r['error']})" for r in results
               if r["outcome"] != expected[r["instance"]]])


def baseline_code(revision: str, folder: Path) -> Path:
    """The package ``campagne`` as it was at ``revision``, extracted into ``folder``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", revision,
                              "core"], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    (folder / "core").rename(folder / "campagne")
    return folder


# --- The whole benchmark ---------------------------------------------------------------

def load_average() -> str:
    """The machine's load average, as ``uptime`` gives it."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="a PostgreSQL URL (else SQLite)")
    parser.add_argument("--latency-ms", type=float, default=50,
                        help="added before every answer (50)")
    parser.add_argument("--healthy", type=int, default=101, help="scenario (a)'s instances")
    parser.add_argument("--scenarios", default="ab", help="which of a and b to run (ab)")
    parser.add_argument("--baseline-parallel", type=int,
                        default=BASELINE_SETTINGS["parallel_instances"],
                        help="the baseline's parallel_instances (4, the default before)")
    parser.add_argument("--baseline-rev", default=None,
                        help="a git revision whose code the baseline harvests run")
    parser.add_argument("--harvest-once", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.harvest_once:
        harvest_once(args.harvest_once, args.out)
        return 0

    from bench_kit import empty_database
    from sqlalchemy import text

    from campagne.db import make_engine
    from campagne.hub.config import HubConfig

    defaults = HubConfig.model_validate({"instances": [{"name": "xx", "url": "http://x"}]})
    limit = defaults.timeout_seconds * (defaults.retries + 1) + 5
    kind = "PostgreSQL" if args.db and not args.db.startswith("sqlite") else "SQLite"
    hanging = refusing = 5
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "demo").mkdir()
        documents = demo_documents(folder / "demo")
        (folder / "documents.json").write_text(json.dumps(documents))
        code = baseline_code(args.baseline_rev, folder / "baseline") \
            if args.baseline_rev else None
        scenarios = {
            "a": (args.healthy, 0, 0),
            "b": (args.healthy - hanging - refusing, hanging, refusing),
        }
        scenarios = {key: value for key, value in scenarios.items() if key in args.scenarios}
        baseline = {**BASELINE_SETTINGS, "parallel_instances": args.baseline_parallel}
        variants = [("baseline", baseline, code), ("defaults", {}, None)]
        with members(folder / "documents.json", args.healthy, hanging, refusing,
                     args.latency_ms) as found:
            for scenario, counts in scenarios.items():
                listed = instance_list(found, *counts)
                for label, settings, source in variants:
                    name = f"{scenario}-{label}"
                    url = empty_database(args.db, folder, schema=SCHEMA,
                                         filename=f"{name}.db")
                    runs.append(run_harvest(folder, name, listed, settings, label, url,
                                            source))
        if kind == "PostgreSQL":
            engine = make_engine(args.db)
            with engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
            engine.dispose()

    stats = {path: len(answer["body"]) for path, answer in documents.items()}
    print(f"hub harvest on {kind}, {args.latency_ms:g} ms added per answer, "
          f"load average {load_average()}")
    print("  documents of the demo instance: " + ", ".join(
        f"{path} {size / 1000:.1f} kB" for path, size in stats.items()))
    print(f"  defaults: parallel_instances {defaults.parallel_instances}, timeout_seconds "
          f"{defaults.timeout_seconds:g}, retries {defaults.retries}, request_deadline_seconds "
          f"{defaults.request_deadline_seconds:g}; baseline: "
          + f"parallel_instances {args.baseline_parallel}"
          + (f", code of {args.baseline_rev}" if args.baseline_rev else ", this code"))
    titles = {"a": f"(a) {args.healthy} healthy",
              "b": f"(b) {args.healthy - hanging - refusing} healthy + {hanging} hanging + "
                   f"{refusing} refusing"}
    print(f"  {'scenario':<42}{'settings':<10}{'total':>9}  {'outcomes':<28}"
          f"{'slowest ok':<22}{'peak RSS':>9}{'harvest':>9}")
    for run in runs:
        outcomes = " ".join(f"{k} {v}" for k, v in sorted(run.outcomes.items()))
        slowest = f"{run.slowest_ok[0]} {run.slowest_ok[1]:.2f} s"
        print(f"  {titles[run.scenario]:<42}{run.settings:<10}{run.seconds:8.2f}s  "
              f"{outcomes:<28}{slowest:<22}{run.peak_mib:7.0f}MB{run.harvest_mib:+7.0f}MB")
    by = {(run.scenario, run.settings): run for run in runs}
    for scenario in scenarios:
        base, new = by[(scenario, "baseline")], by[(scenario, "defaults")]
        print(f"  {titles[scenario]}: baseline / defaults = x{base.seconds / new.seconds:.1f}"
              f" in time, x{base.peak_mib / new.peak_mib:.2f} in peak RSS")
    if "a" in scenarios:
        a = by[("a", "defaults")]
        print(f"  target (a) under 3 s with the defaults: {a.seconds:.2f} s, "
              f"{'met' if a.seconds < 3 else 'MISSED'}")
    if "b" in scenarios:
        b = by[("b", "defaults")]
        print(f"  target (b) within timeout x (retries + 1) + 5 s = {limit:g} s with the "
              f"defaults: {b.seconds:.2f} s, {'met' if b.seconds <= limit else 'MISSED'}")
    wrong = [line for run in runs for line in run.wrong]
    for line in wrong:
        print(f"  unexpected outcome: {line}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
