"""Desk booking throughput: confirmed bookings per second over HTTP, with the space row
locked for each check-and-insert (docs/decisions/0012-capacity-under-concurrency.md).

    python bench/bookings.py                          # SQLite, 400 bookings, 16 connections
    python bench/bookings.py --db postgresql://postgres@127.0.0.1:5432/bench --concurrency 32

The reference regions with their demo members are served by uvicorn (one process, in a
thread) on a fresh database; one Gers staff account books, on behalf of distinct members,
whole days in ONE space (every booking contends for the same lock), spread over the days
of the horizon so that none is refused. Prints bookings per second and latencies."""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import uvicorn
from sqlmodel import Session, col, select

from campagne.app import create_app
from campagne.auth.accounts import create_account
from campagne.auth.models import Role
from campagne.demo import generate_region_demo
from campagne.features.spaces.bookings import today
from campagne.features.spaces.models import Space
from campagne.instance import Instance
from campagne.models import Member, Region
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit

PASSWORD = "bench password, not a secret"


def prepare(folder: Path, url: str | None) -> tuple[Instance, int, list[int]]:
    """The instance, a large Gers space and the Gers members' ids."""
    instance = RegionKit(folder, url).instance(reference_region_paths())
    with Session(instance.engine) as session:
        for slug in instance.regions:
            region = session.exec(select(Region).where(Region.slug == slug)).one()
            generate_region_demo(instance, session, region)
        gers = session.exec(select(Region).where(Region.slug == "gers")).one()
        assert gers.id is not None
        space = Space(region_id=gers.id, name="Banc d'essai", commune="Auch", seats=1000)
        session.add(space)
        create_account(session, instance.settings, email="bench@example.org",
                       role=Role.STAFF, regions=["gers"], password=PASSWORD)
        members = session.exec(select(Member.id).where(Member.region_id == gers.id)
                               .order_by(col(Member.id))).all()
        session.commit()
        assert space.id is not None
        return instance, space.id, [m for m in members if m is not None]


def main(argv: list[str] | None = None) -> int:
    """Run the measure; exit 1 if a booking was not confirmed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=None, help="database URL (a fresh SQLite file)")
    parser.add_argument("--bookings", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        instance, space_id, members = prepare(Path(folder), args.db)
        server = uvicorn.Server(uvicorn.Config(create_app(instance),
                                               host="127.0.0.1", port=0, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.02)
        base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
        token = httpx.post(f"{base}/api/v1/auth/token", data={
            "username": "bench@example.org", "password": PASSWORD}).json()["access_token"]
        url = f"{base}/api/v1/regions/gers/spaces/{space_id}/bookings"
        local = threading.local()

        def one(index: int) -> tuple[int, float]:
            if not hasattr(local, "client"):
                local.client = httpx.Client(headers={"Authorization": f"Bearer {token}"},
                                            timeout=60)
            day = today() + dt.timedelta(days=index // len(members))
            body = {"day": day.isoformat(), "slot": "day",
                    "member_id": members[index % len(members)]}
            started = time.perf_counter()
            status = local.client.post(url, json=body).status_code
            return status, time.perf_counter() - started

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            results = list(pool.map(one, range(args.bookings)))
        elapsed = time.perf_counter() - started
        server.should_exit = True
        thread.join(timeout=10)
    latencies = sorted(seconds * 1000 for _, seconds in results)
    confirmed = sum(1 for status, _ in results if status == 201)
    print(f"backend: {'sqlite' if not args.db else args.db.split(':')[0]}, "
          f"{args.bookings} bookings, {args.concurrency} connections, one space")
    print(f"confirmed: {confirmed}, {confirmed / elapsed:.0f} bookings/s, "
          f"p50 {statistics.median(latencies):.1f} ms, "
          f"p95 {latencies[int(len(latencies) * 0.95) - 1]:.1f} ms")
    return 0 if confirmed == args.bookings else 1


if __name__ == "__main__":
    sys.exit(main())
