"""Benchmark at national scale: a region of 100,000 or 1,000,000 members among 101
départements, served by uvicorn with one and with two workers, measured as the public and
the staff see it. One command, from the repository's root:

    python bench/scale.py --members 100000 --db postgresql://postgres@127.0.0.1:5432/test
    python bench/scale.py --members 1000000 --db postgresql://postgres@127.0.0.1:5432/test

What it does:

1. **Data**: the reference regions (Gers, Orne) and 99 copies of the Orne under the other
   codes of the départements (``--regions``, 101 in all by default); ``--members`` members
   in the Gers and ``--others`` in each other region, written with bulk inserts (names
   ``Prénom{n} Nom{n}``, 400 communes, every sector and status); one staff account of the
   Gers; ``VACUUM ANALYZE`` (``ANALYZE`` on SQLite). SQLite in a temporary folder when
   ``--db`` is not given, else the schema ``campagne_bench_scale`` of that PostgreSQL
   (dropped and made again).
2. **Servers**: ``uvicorn --factory campagne.app:create_app_from_env`` with ``--workers``
   (1 and 2 by default), configured by ``CAMPAGNE_*`` variables only, without access log.
3. **Latency**: ``--requests`` sequential requests (after 3 unmeasured ones) of each
   endpoint below over one keep-alive connection; median and 95th percentile in ms, as
   the client sees them. The first request after a change of the region's records (a
   member's status changed through the API) is timed apart for the figures that are
   computed once per change (statistics, comparison).
4. **Memory**: each worker's resident memory after start-up (after one request) and its
   peak (``VmHWM``) after the whole run.
5. **Throughput**: ``wrk`` (Debian's package) on the region's home and the region's API,
   8 connections, ``--wrk-seconds`` each, when ``wrk`` is installed.
6. **Freshness across workers**: figures read through fresh connections (spread over the
   workers) before and after a change made through one of them must all show the change.

Exit 0 when everything ran and every answer was a 200 with fresh figures; the figures are
measurements, not a test. ``--json PATH`` writes them; ``--baseline PATH`` (a file of an
earlier run, e.g. of the previous release installed in another environment) prints the
ratios."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import yaml
from bench_kit import cpu_seconds, empty_database, free_port, memory_mb, wait_for
from sqlalchemy import insert, text
from sqlmodel import Session, select

from campagne.auth.accounts import create_account
from campagne.auth.models import Role
from campagne.models import Member, MemberStatus, Region
from campagne.regions import reference_region_paths
from campagne.taxonomy import SECTORS
from campagne.testing import RegionKit

SCHEMA = "campagne_bench_scale"
PASSWORD = "bench password, not a secret"
STAFF = "bench-scale@example.org"
INSERT_BATCH = 10_000
COMMUNES = 400
# The INSEE codes of the 101 départements, the Gers (32) and the Orne (61) first.
CODES = ["32", "61", *[f"{n:02d}" for n in range(1, 96) if n not in (20, 32, 61)],
         "2A", "2B", "971", "972", "973", "974", "976"]
API = "/api/v1/regions/gers"


def region_folders(root: Path, count: int) -> list[Path]:
    """The Gers and the Orne, then copies of the Orne under the next codes."""
    references = {path.name: path for path in reference_region_paths()}
    folders = [references["gers"], references["orne"]]
    for code in CODES[2:count]:
        slug = f"departement-{code.lower()}"
        folder = root / slug
        shutil.copytree(references["orne"], folder)
        config_file = folder / "region.yaml"
        config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
        config.update(slug=slug, code=code, name=f"Département {code}")
        config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                               encoding="utf-8")
        folders.append(folder)
    return folders


def member_row(region_id: int, n: int, sectors: list[str], statuses: list[str]
               ) -> dict[str, Any]:
    """A synthetic member, every field the staff screens show filled."""
    return {"region_id": region_id, "first_name": f"Prénom{n}", "last_name": f"Nom{n}",
            "email": f"membre{n}.{region_id}@example.org",
            "phone": f"+33 5 62 {n % 100:02d} {n % 97:02d} 00",
            "business_name": f"Atelier {n}", "naf_code": "6201Z",
            "sector_slug": sectors[n % len(sectors)], "commune": f"Commune {n % COMMUNES}",
            "origin_area": "Île-de-France", "origin_country": "FR",
            "arrival_date": dt.date(2020, 1, 1) + dt.timedelta(days=n % 1500),
            "status": statuses[n % len(statuses)], "synthetic": True,
            "last_contact_at": dt.date(2024, 6, 1)}


def generate(root: Path, url: str, members: int, others: int, regions: int
             ) -> tuple[list[Path], float]:
    """Write the regions, the members and the staff account; return the folders served
    and the seconds the members took."""
    folders = region_folders(root / "regions", regions)
    instance = RegionKit(root / "kit", url).instance(folders)
    sectors = [sector.slug for sector in SECTORS]
    statuses = [status.value for status in MemberStatus]
    started = time.perf_counter()
    with Session(instance.engine) as session:
        ids = {region.slug: region.id for region in session.exec(select(Region)).all()}
        create_account(session, instance.settings, email=STAFF, role=Role.STAFF,
                       regions=["gers"], password=PASSWORD)
        # The Gers first: its members have the ids its region.yaml's plug-ins name.
        for slug, region_id in sorted(ids.items(), key=lambda item: item[0] != "gers"):
            assert region_id is not None
            count = members if slug == "gers" else others
            for first in range(0, count, INSERT_BATCH):
                session.execute(insert(Member), [
                    member_row(region_id, n, sectors, statuses)
                    for n in range(first, min(count, first + INSERT_BATCH))])
            session.commit()
    elapsed = time.perf_counter() - started
    # Statistics and the visibility map, as autovacuum would gather them on a server that
    # has run for a while (index-only scans need the latter).
    postgres = instance.engine.dialect.name == "postgresql"
    with instance.engine.connect().execution_options(isolation_level="AUTOCOMMIT") \
            as connection:
        connection.execute(text("VACUUM ANALYZE" if postgres else "ANALYZE"))
    instance.engine.dispose()
    return folders, elapsed



class Server:
    """uvicorn serving the instance with ``workers`` processes."""

    def __init__(self, url: str, folders: list[Path], workers: int, secret: str) -> None:
        self.port, self.workers = free_port(), workers
        env = {**os.environ, "CAMPAGNE_DATABASE_URL": url,
               "CAMPAGNE_REGION_DIRS": json.dumps([str(folder) for folder in folders]),
               "CAMPAGNE_LOAD_ENTRY_POINTS": "false", "CAMPAGNE_SECRET_KEY": secret,
               "CAMPAGNE_LOG_LEVEL": "WARNING"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "campagne.app:create_app_from_env",
             "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers),
             "--no-access-log", "--log-level", "warning"], env=env)
        self.base = f"http://127.0.0.1:{self.port}"
        wait_for(self.base, self.process, seconds=180)
        # Every worker has answered once the health check has been asked enough times.
        for _ in range(10 * workers):
            httpx.get(f"{self.base}/gers/", trust_env=False, headers={"Connection": "close"})

    def worker_pids(self) -> list[int]:
        """The processes that answer requests (the server itself with one worker)."""
        if self.workers == 1:
            return [self.process.pid]
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children
                if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()]

    def stop(self) -> None:
        """Stop every process of the server."""
        self.process.terminate()
        self.process.wait(60)


def timed(client: httpx.Client, request: Callable[[httpx.Client], httpx.Response],
          count: int) -> dict[str, float]:
    """Median and 95th percentile (ms) of ``count`` sequential requests, after 3."""
    for _ in range(3):
        _ok(request(client))
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        _ok(request(client))
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"p50": statistics.median(samples),
            "p95": samples[min(len(samples) - 1, int(len(samples) * 0.95))]}


def _ok(answer: httpx.Response) -> httpx.Response:
    if answer.status_code != 200:
        raise RuntimeError(f"{answer.request.method} {answer.request.url.path}: "
                           f"{answer.status_code} {answer.text[:200]}")
    return answer


def staff_headers(client: httpx.Client) -> dict[str, str]:
    """A bearer token of the Gers's staff account."""
    answer = _ok(client.post("/api/v1/auth/token",
                             data={"username": STAFF, "password": PASSWORD}))
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def change_a_member(client: httpx.Client, auth: dict[str, str], member_id: int) -> None:
    """Move one member between "settled" and "left" through the API (a committed change
    of every figure that counts the settled members)."""
    record = _ok(client.get(f"{API}/members/{member_id}", headers=auth)).json()
    settled = MemberStatus.SETTLED.value
    following = MemberStatus.LEFT.value if record["status"] == settled else settled
    _ok(client.patch(f"{API}/members/{member_id}", headers=auth,
                     json={"version": record["version"], "status": following}))


def endpoints(auth: dict[str, str], members: int, first_id: int
              ) -> dict[str, Callable[[httpx.Client], httpx.Response]]:
    """What is measured, by label (the Gers's ids run from ``first_id``)."""
    deep = max(1, min(members // 50 // 2, 20_000))  # a page in the middle of the list
    middle = first_id + members // 2

    def search(criteria: dict[str, Any]) -> Callable[[httpx.Client], httpx.Response]:
        return lambda c: c.post(f"{API}/members/search", headers=auth, json=criteria)

    return {
        "region home /gers/": lambda c: c.get("/gers/"),
        "small region home /departement-01/": lambda c: c.get("/departement-01/"),
        "GET /api/v1/regions/gers": lambda c: c.get(API),
        "staff list, first page": lambda c: c.get(f"{API}/members", headers=auth),
        f"staff list, page {deep}": lambda c: c.get(f"{API}/members", headers=auth,
                                                     params={"page": deep}),
        "staff list, same depth by before=id": lambda c: c.get(
            f"{API}/members", headers=auth, params={"before": middle}),
        "staff search: name": search({"name": f"nom{members // 3}"}),
        "staff search: name, no match": search({"name": "zzzz"}),
        "staff search: commune": search({"commune": "Commune 17"}),
        "staff search: sector": search({"sector": SECTORS[3].slug}),
        "staff search: status": search({"status": MemberStatus.SETTLED.value}),
        "staff search: sector+status": search({"sector": SECTORS[3].slug,
                                               "status": MemberStatus.SETTLED.value}),
        "GET /api/v1/regions/gers/stats": lambda c: c.get(f"{API}/stats"),
        "/comparer": lambda c: c.get("/comparer"),
        "GET /api/v1/network/compare": lambda c: c.get("/api/v1/network/compare"),
    }


AFTER_A_CHANGE = ("GET /api/v1/regions/gers/stats", "/comparer", "GET /api/v1/network/compare",
                  "region home /gers/", "staff search: status")


def wrk(base: str, path: str, seconds: int) -> float | None:
    """Requests per second ``wrk`` measures on ``path`` (8 connections), or None."""
    if shutil.which("wrk") is None:
        return None
    output = subprocess.run(["wrk", "-t1", "-c8", f"-d{seconds}s", base + path],
                            capture_output=True, text=True, check=True).stdout
    for line in output.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
        if "Non-2xx" in line:
            raise RuntimeError(f"wrk {path}: {line.strip()}")
    raise RuntimeError(f"wrk printed no rate for {path}")


def freshness(base: str, auth: dict[str, str], member_id: int, reads: int) -> dict[str, Any]:
    """Read the region's figures through ``reads`` fresh connections, change a member,
    read again: every answer after the change must show it."""
    def read_all() -> list[str]:
        bodies = []
        for _ in range(reads):
            with httpx.Client(base_url=base, trust_env=False) as client:
                bodies.append(_ok(client.get(API)).text)
        return bodies

    before = read_all()
    with httpx.Client(base_url=base, trust_env=False) as client:
        change_a_member(client, auth, member_id)
    after = read_all()
    fresh = sum(1 for body in after if body not in before) if len(set(before)) == 1 else 0
    return {"reads": reads, "fresh": fresh, "same_after": len(set(after)) == 1}


def measure(url: str, folders: list[Path], workers: int, args: argparse.Namespace,
            secret: str, member_id: int) -> dict[str, Any]:
    """Every figure of one server configuration."""
    server = Server(url, folders, workers, secret)
    try:
        pids = server.worker_pids()
        start_mb = [memory_mb(pid, "VmRSS") for pid in pids]
        with httpx.Client(base_url=server.base, trust_env=False, timeout=120) as client:
            auth = staff_headers(client)
            measured = endpoints(auth, args.members, member_id)
            latency = {label: timed(client, request, args.requests)
                       for label, request in measured.items()}
            after_change = {}
            for label in AFTER_A_CHANGE:
                change_a_member(client, auth, member_id)
                started = time.perf_counter()
                _ok(measured[label](client))
                after_change[label] = (time.perf_counter() - started) * 1000
        throughput, spread = {}, {}
        for path in ("/gers/", API):
            before = [cpu_seconds(pid) or 0.0 for pid in pids]
            started = time.perf_counter()
            throughput[path] = wrk(server.base, path, args.wrk_seconds)
            wall = time.perf_counter() - started
            # uvicorn's workers share one socket: which worker accepts wrk's 8 kept-alive
            # connections is the kernel's choice, so each worker's share of a core is shown.
            spread[path] = [((cpu_seconds(pid) or 0.0) - first) / wall
                            for pid, first in zip(pids, before, strict=True)]
        fresh = freshness(server.base, auth, member_id, args.fresh_reads)
        peak_mb = [memory_mb(pid, "VmHWM") for pid in pids]
        return {"workers": workers, "latency": latency, "after_change": after_change,
                "wrk": throughput, "wrk_cpu": spread, "freshness": fresh, "start_mb": start_mb,
                "peak_mb": peak_mb}
    finally:
        server.stop()


def report(run: dict[str, Any], baseline: dict[str, Any] | None) -> None:
    """Print one server configuration's figures (and ratios to the baseline's)."""
    previous = None
    if baseline is not None:
        previous = next((item for item in baseline["runs"]
                         if item["workers"] == run["workers"]), None)
    print(f"\n== {run['workers']} worker(s)")
    print(f"  {'request':<40} {'p50 ms':>8} {'p95 ms':>8}"
          + (f" {'before p95':>10} {'ratio':>7}" if previous else ""))
    for label, figures in run["latency"].items():
        line = f"  {label:<40} {figures['p50']:>8.1f} {figures['p95']:>8.1f}"
        if previous and label in previous["latency"]:
            old = previous["latency"][label]["p95"]
            line += f" {old:>10.1f} {figures['p95'] / old:>7.3f}"
        print(line)
    print("  first request after a change of the region's records:")
    for label, ms in run["after_change"].items():
        print(f"    {label:<38} {ms:>8.1f} ms")
    for path, rate in run["wrk"].items():
        if rate is not None:
            line = f"  wrk {path:<36} {rate:>8,.0f} req/s"
            old = previous["wrk"].get(path) if previous else None
            if old:
                line += f" (before {old:,.0f}, x{rate / old:.2f})"
            shares = run.get("wrk_cpu", {}).get(path)
            if shares:
                line += "; workers' CPU " + ", ".join(f"{share:.0%}" for share in shares)
            print(line)
    fresh = run["freshness"]
    print(f"  figures after a change, {fresh['reads']} fresh connections: {fresh['fresh']} "
          f"showed it, all the same: {'yes' if fresh['same_after'] else 'NO'}")
    print("  memory per worker: after start " + ", ".join(f"{mb:.0f} MB" for mb in run["start_mb"])
          + "; peak " + ", ".join(f"{mb:.0f} MB" for mb in run["peak_mb"]))


def main(argv: list[str] | None = None) -> int:
    """Generate the data, measure each server configuration, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000, help="members of the Gers")
    parser.add_argument("--others", type=int, default=1_000,
                        help="members of each other region (1000)")
    parser.add_argument("--regions", type=int, default=101, choices=range(2, 102),
                        metavar="2..101", help="regions served (101)")
    parser.add_argument("--db", default=None, help="a PostgreSQL URL (else SQLite)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--requests", type=int, default=100,
                        help="sequential requests per endpoint (100)")
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--fresh-reads", type=int, default=20)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="figures of an earlier run (--json) to compare with")
    args = parser.parse_args(argv)
    baseline = json.loads(args.baseline.read_text()) if args.baseline else None
    secret = os.urandom(24).hex()
    os.environ["CAMPAGNE_SECRET_KEY"] = secret  # the account's and the servers' key
    kind = "PostgreSQL" if args.db and not args.db.startswith("sqlite") else "SQLite"
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        url = empty_database(args.db, root, schema=SCHEMA, filename="scale.db")
        folders, seconds = generate(root, url, args.members, args.others, args.regions)
        total = args.members + args.others * (args.regions - 1)
        print(f"{args.members:,} members in the Gers, {args.others:,} in each of "
              f"{args.regions - 1} other regions ({total:,} in all, written in {seconds:.0f} s)"
              f" on {kind}; load average {os.getloadavg()[0]:.2f}")
        from campagne.db import make_engine
        engine = make_engine(url)
        with engine.connect() as connection:
            member_id = int(connection.execute(text(
                "SELECT min(id) FROM member WHERE region_id = "
                "(SELECT id FROM region WHERE slug = 'gers')")).scalar_one())
        engine.dispose()
        runs = []
        for workers in args.workers:
            runs.append(measure(url, folders, workers, args, secret, member_id))
            report(runs[-1], baseline)
    if args.json:
        args.json.write_text(json.dumps({"members": args.members, "database": kind,
                                         "regions": args.regions, "runs": runs}, indent=1))
    return 0 if all(run["freshness"]["fresh"] == run["freshness"]["reads"]
                    and run["freshness"]["same_after"] for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
