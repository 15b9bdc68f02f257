"""Benchmark of the members' CSV export through the HTTP API: time to the first byte, total
time, rows per second and the serving process's peak memory, streamed (the application's
export) against the in-memory way it was written before (kept here only, as the baseline).
One command, from the repository's root:

    python bench/exports.py                       # 100,000 members of the Gers, SQLite
    python bench/exports.py --members 1000000 --db postgresql://postgres@127.0.0.1:5432/test

The members are written with bulk inserts into a fresh database (a SQLite file in a
temporary folder, or the schema ``campagne_bench_exports`` of the given PostgreSQL, dropped
and created again). Each variant is served by its own uvicorn process (one worker, started
by this script with ``serve``), so that each peak (``VmHWM`` of ``/proc/PID/status``) is
its own; the client streams the answer and counts its lines. ``--xlsx`` also measures the
XLSX export (sent as it is written, decision 0036). Exit 0 when everything ran and both CSV files
are the same bytes (the figures are measurements, not a test).

Before it is measured, each server answers one request of the same route that selects no
record (code loaded, queries compiled); "RSS start" is read after it."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from bench_kit import empty_database, free_port, memory_mb, wait_for
from sqlalchemy import insert, text
from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from campagne.auth.accounts import create_account
from campagne.auth.models import Role
from campagne.features.spreadsheets.exporter import MEDIA_TYPES, escape, headers
from campagne.features.spreadsheets.fields import FIELDS, Kind
from campagne.instance import Instance
from campagne.models import Member, MemberStatus, Region
from campagne.regions import reference_region_paths
from campagne.taxonomy import SECTORS
from campagne.testing import RegionKit

SCHEMA = "campagne_bench_exports"
PASSWORD = "bench password, not a secret"
STAFF = "bench-exports@example.org"
INSERT_BATCH = 10_000
BASELINE_PATH = "/bench/in-memory.csv"
EXPORT_PATH = "/api/v1/regions/gers/members/export/csv"
XLSX_PATH = "/api/v1/regions/gers/members/export/xlsx"


def instance_on(folder: Path, url: str) -> Instance:
    """The reference regions (without demo members) on ``url``."""
    return RegionKit(folder, url).instance(reference_region_paths())


def generate(folder: Path, url: str, count: int) -> float:
    """Write ``count`` Gers members with bulk inserts and one staff account; return the
    seconds the members took."""
    instance = instance_on(folder, url)
    sectors = [sector.slug for sector in SECTORS]
    statuses = [status.value for status in MemberStatus]
    started = time.perf_counter()
    with Session(instance.engine) as session:
        gers = session.exec(select(Region).where(Region.slug == "gers")).one()
        create_account(session, instance.settings, email=STAFF, role=Role.STAFF,
                       regions=["gers"], password=PASSWORD)
        for first in range(0, count, INSERT_BATCH):
            session.execute(insert(Member), [_member(gers.id, n, sectors, statuses)
                                             for n in range(first, min(count,
                                                                       first + INSERT_BATCH))])
        session.commit()
    elapsed = time.perf_counter() - started
    with instance.engine.begin() as connection:  # statistics, as autovacuum would gather
        connection.execute(text("ANALYZE"))
    instance.engine.dispose()
    return elapsed


def _member(region_id: Any, n: int, sectors: list[str], statuses: list[str]
            ) -> dict[str, Any]:
    """A synthetic member: every field the export writes has a value, one in a thousand
    names looks like a formula."""
    return {"region_id": region_id, "first_name": f"Prénom{n}",
            "last_name": f"-Nom{n}" if n % 1000 == 0 else f"Nom{n}",
            "email": f"membre{n}@example.org", "phone": f"+33 5 62 {n % 100:02d} {n % 97:02d} 00",
            "business_name": f"Atelier {n}", "naf_code": "6201Z",
            "sector_slug": sectors[n % len(sectors)], "commune": "Auch",
            "origin_area": "Île-de-France", "origin_country": "FR",
            "arrival_date": dt.date(2020, 1, 1) + dt.timedelta(days=n % 1500),
            "status": statuses[n % len(statuses)], "synthetic": True,
            "last_contact_at": dt.date(2024, 6, 1)}


def in_memory_csv(request: Request) -> Response:
    """The export as it was before it was streamed: every record loaded, the whole file
    built in a string, encoded, then sent (the baseline; no authentication, loopback)."""
    instance: Instance = request.app.state.instance
    query = (select(Member).join(Region, col(Region.id) == col(Member.region_id))
             .where(Region.slug == "gers"))
    if sector := request.query_params.get("sector"):
        query = query.where(Member.sector_slug == sector)
    with Session(instance.engine) as session:
        members = session.exec(query.order_by(col(Member.id).desc())).all()
        rows = [[getattr(member, spec.column) for spec in FIELDS[Kind.MEMBERS]]
                for member in members]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([escape(title) for title in headers(Kind.MEMBERS)])
    for values in rows:
        writer.writerow(["" if value is None else value.isoformat()
                         if isinstance(value, dt.date) else escape(str(value))
                         for value in values])
    return Response(buffer.getvalue().encode("utf-8-sig"), media_type=MEDIA_TYPES["csv"])


def serve(folder: Path, url: str, port: int) -> None:
    """Serve the instance with uvicorn (one worker), the baseline route added."""
    import uvicorn

    from campagne.app import create_app

    app = create_app(instance_on(folder, url))
    app.router.routes.insert(0, Route(BASELINE_PATH, in_memory_csv))
    uvicorn.run(app, host="127.0.0.1", port=port, workers=1, log_level="warning",
                access_log=False, server_header=False)



def measure(folder: Path, url: str, path: str, authenticated: bool) -> dict[str, Any]:
    """Start a server, stream ``path`` once; the figures and the body's digest."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-W", "ignore:Using `httpx`", __file__,
                               "serve", "--folder", str(folder),
                               "--url", url, "--port", str(port)])
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base, server)
        with httpx.Client(base_url=base, timeout=600, trust_env=False) as client:
            auth = {}
            if authenticated:
                token = client.post("/api/v1/auth/token", data={
                    "username": STAFF, "password": PASSWORD}).json()["access_token"]
                auth = {"Authorization": f"Bearer {token}"}
            # One request of the same route that selects nothing: code loaded, no records.
            client.get(path, params={"sector": "bench-none"}, headers=auth)
            start_rss = memory_mb(server.pid, "VmRSS")
            digest, size, lines, first = hashlib.sha256(), 0, 0, None
            started = time.perf_counter()
            with client.stream("GET", path, headers=auth) as answer:
                if answer.status_code != 200:
                    raise RuntimeError(f"{path}: {answer.status_code}")
                for piece in answer.iter_raw():
                    if first is None:
                        first = time.perf_counter() - started
                    digest.update(piece)
                    size += len(piece)
                    lines += piece.count(b"\n")
            total = time.perf_counter() - started
        return {"ttfb": first or total, "total": total, "rows": lines - 1, "bytes": size,
                "start_mb": start_rss, "peak_mb": memory_mb(server.pid, "VmHWM"),
                "digest": digest.hexdigest()}
    finally:
        server.terminate()
        server.wait(30)



def main(argv: list[str] | None = None) -> int:
    """Generate the members, measure each variant, print the figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    serving = sub.add_parser("serve", help="(used by the benchmark itself)")
    serving.add_argument("--folder", type=Path, required=True)
    serving.add_argument("--url", required=True)
    serving.add_argument("--port", type=int, required=True)
    parser.add_argument("--members", type=int, default=100_000,
                        help="members of the Gers (100000)")
    parser.add_argument("--db", default=None, help="a PostgreSQL URL (else SQLite)")
    parser.add_argument("--xlsx", action="store_true", help="also measure the XLSX export")
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.folder, args.url, args.port)
        return 0
    # One key for this process (the account) and the servers (its token).
    os.environ.setdefault("CAMPAGNE_SECRET_KEY", os.urandom(24).hex())
    kind = "PostgreSQL" if args.db and not args.db.startswith("sqlite") else "SQLite"
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        url = empty_database(args.db, folder, schema=SCHEMA, filename="exports.db")
        generated = generate(folder, url, args.members)
        print(f"CSV export of {args.members:,} members on {kind} (one uvicorn worker; "
              f"members written in {generated:.1f} s)")
        runs = {"streamed": measure(folder, url, EXPORT_PATH, True),
                "in memory (before)": measure(folder, url, BASELINE_PATH, False)}
        if args.xlsx:
            runs["XLSX, streamed"] = measure(folder, url, XLSX_PATH, True)
            runs["XLSX, streamed"]["rows"] = args.members  # lines of a zip mean nothing
    print(f"  {'variant':<20} {'first byte':>11} {'total':>9} {'rows/s':>9} {'MB sent':>8} "
          f"{'RSS start':>10} {'RSS peak':>9}")
    for label, run in runs.items():
        print(f"  {label:<20} {run['ttfb'] * 1000:>8.0f} ms {run['total']:>7.2f} s "
              f"{run['rows'] / run['total']:>9,.0f} {run['bytes'] / 1e6:>8.1f} "
              f"{run['start_mb']:>7.0f} MB {run['peak_mb']:>6.0f} MB")
    new, old = runs["streamed"], runs["in memory (before)"]
    same = new["digest"] == old["digest"] and new["rows"] == args.members
    print(f"  streamed / before: first byte x{new['ttfb'] / old['ttfb']:.3f}, "
          f"total x{new['total'] / old['total']:.2f}, "
          f"peak RSS x{new['peak_mb'] / old['peak_mb']:.2f}, "
          f"peak above start {new['peak_mb'] - new['start_mb']:.0f} MB vs "
          f"{old['peak_mb'] - old['start_mb']:.0f} MB")
    print(f"  same bytes: {'yes' if same else 'NO'} ({new['rows']:,} rows)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
