"""A space's capacity is never exceeded when bookings arrive at once: 50 simultaneous
requests over real HTTP for a 10-seat space on one day give exactly 10 answers 201, 40
answers 409 and 10 confirmed rows, on SQLite and on PostgreSQL, with one uvicorn process
serving on many threads and with two worker processes sharing the database."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from accounts_kit import EMAILS, PASSWORD, populate
from spaces_kit import threaded_server
from sqlmodel import Session, col, func, select

from campagne.features.spaces.bookings import today
from campagne.features.spaces.models import Booking, Space
from campagne.instance import Instance
from campagne.models import Member, Region
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit

REQUESTS, SEATS = 50, 10


def prepared(folder: Path, database_url: str) -> tuple[Instance, int, list[int]]:
    """The reference regions with accounts, a 10-seat Gers space, and 50 Gers members."""
    instance = RegionKit(folder, database_url).instance(reference_region_paths())
    populate(instance)
    with Session(instance.engine) as session:
        gers = session.exec(select(Region).where(Region.slug == "gers")).one()
        assert gers.id is not None
        space = Space(region_id=gers.id, name="Télécentre du test de charge", commune="Auch",
                      seats=SEATS)
        session.add(space)
        members = session.exec(select(Member.id).where(Member.region_id == gers.id)
                               .order_by(col(Member.id)).limit(REQUESTS)).all()
        session.commit()
        assert space.id is not None and len(members) == REQUESTS
        return instance, space.id, [m for m in members if m is not None]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def worker_processes(database_url: str, workers: int = 2) -> Iterator[str]:
    """``uvicorn --factory campagne.app:create_app_from_env --workers N`` on the database
    prepared by the test (what a deployment with several processes runs)."""
    port = _free_port()
    env = {**os.environ, "CAMPAGNE_DATABASE_URL": database_url,
           "CAMPAGNE_REGION_DIRS": json.dumps([str(p) for p in reference_region_paths()]),
           "CAMPAGNE_LOAD_ENTRY_POINTS": "false"}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "campagne.app:create_app_from_env",
         "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
         "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # only against a hang
        while True:
            assert process.poll() is None, "uvicorn stopped"
            assert time.monotonic() < deadline, "uvicorn did not start"
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def staff_token(base: str) -> str:
    """A bearer token of the Gers staff account."""
    answer = httpx.post(f"{base}/api/v1/auth/token", data={
        "username": EMAILS["staff_gers"], "password": PASSWORD}, timeout=30)
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def fire(base: str, space_id: int, members: list[int], day: dt.date) -> tuple[Counter[int],
                                                                               float]:
    """Send one booking per member, all at once (a barrier releases them together), each on
    its own connection; return the statuses and the seconds it took."""
    token = staff_token(base)
    barrier = threading.Barrier(len(members))
    url = f"{base}/api/v1/regions/gers/spaces/{space_id}/bookings"

    def one(member_id: int) -> tuple[int, str]:
        with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {token}"}) as client:
            client.get(f"{base}/healthz")  # open the connection before the start
            barrier.wait()
            answer = client.post(url, json={"day": day.isoformat(), "slot": "day",
                                            "member_id": member_id})
            return answer.status_code, answer.text

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(members)) as pool:
        answers = list(pool.map(one, members))
    elapsed = time.perf_counter() - started
    refusals = {text for status, text in answers if status == 409}
    assert all("full" in text for text in refusals), refusals
    return Counter(status for status, _ in answers), elapsed


def confirmed(instance: Instance, space_id: int, day: dt.date) -> int:
    """Confirmed bookings of the space on the day, read from the database."""
    with Session(instance.engine) as session:
        return int(session.exec(select(func.count()).select_from(Booking).where(
            Booking.space_id == space_id, Booking.day == day,
            col(Booking.cancelled_at).is_(None))).one())


def test_fifty_simultaneous_bookings_one_process(tmp_path: Path, database_url: str) -> None:
    instance, space_id, members = prepared(tmp_path, database_url)
    day = today() + dt.timedelta(days=10)
    try:
        with threaded_server(instance) as base:
            statuses, elapsed = fire(base, space_id, members, day)
        assert statuses == Counter({201: SEATS, 409: REQUESTS - SEATS}), statuses
        assert confirmed(instance, space_id, day) == SEATS
        print(f"\n{REQUESTS} simultaneous bookings, one process: {elapsed:.2f} s")
    finally:
        instance.engine.dispose()


def test_fifty_simultaneous_bookings_two_worker_processes(tmp_path: Path,
                                                          database_url: str) -> None:
    instance, space_id, members = prepared(tmp_path, database_url)
    day = today() + dt.timedelta(days=11)
    try:
        with worker_processes(database_url) as base:
            statuses, elapsed = fire(base, space_id, members, day)
        assert statuses == Counter({201: SEATS, 409: REQUESTS - SEATS}), statuses
        assert confirmed(instance, space_id, day) == SEATS
        print(f"\n{REQUESTS} simultaneous bookings, two processes: {elapsed:.2f} s")
    finally:
        instance.engine.dispose()


@pytest.mark.parametrize("slots", [("morning", "afternoon", "day")])
def test_mixed_half_days_never_exceed_the_seats(tmp_path: Path, database_url: str,
                                                slots: tuple[str, ...]) -> None:
    """Mornings, afternoons and whole days at once: no half day ends above the seats."""
    instance, space_id, members = prepared(tmp_path, database_url)
    day = today() + dt.timedelta(days=12)
    try:
        with threaded_server(instance) as base:
            token = staff_token(base)
            url = f"{base}/api/v1/regions/gers/spaces/{space_id}/bookings"
            barrier = threading.Barrier(len(members))

            def one(index: int) -> int:
                with httpx.Client(timeout=60,
                                  headers={"Authorization": f"Bearer {token}"}) as client:
                    client.get(f"{base}/healthz")
                    barrier.wait()
                    return client.post(url, json={
                        "day": day.isoformat(), "slot": slots[index % len(slots)],
                        "member_id": members[index]}).status_code

            with ThreadPoolExecutor(max_workers=len(members)) as pool:
                statuses = Counter(pool.map(one, range(len(members))))
        assert set(statuses) <= {201, 409}
        with Session(instance.engine) as session:
            rows = session.exec(select(Booking.slot).where(
                Booking.space_id == space_id, Booking.day == day,
                col(Booking.cancelled_at).is_(None))).all()
        morning = sum(1 for slot in rows if slot in ("morning", "day"))
        afternoon = sum(1 for slot in rows if slot in ("afternoon", "day"))
        assert morning == SEATS and afternoon == SEATS, (morning, afternoon)
        assert statuses[201] == len(rows)
    finally:
        instance.engine.dispose()
