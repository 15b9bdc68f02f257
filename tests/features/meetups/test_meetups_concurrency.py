"""Capacity holds under concurrent sign-ups, over real HTTP, on SQLite and PostgreSQL.

Two uvicorn servers (two applications with their own engines, as two workers would be)
serve the same database; many sign-ups are released at the same instant from as many
threads, half to each server. Exactly ``capacity`` are confirmed, the rest are numbered on
the waiting list without gap, and a person sent twice at once is signed up once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from accounts_kit import EMAILS, PASSWORD, populate
from meetups_kit import Inbox, deliver, in_days, serve
from meetups_kit import smtp as smtp
from sqlmodel import Session, col, func, select

from campagne.features.meetups.models import Registration
from campagne.instance import Instance, load_instance
from campagne.regions import reference_region_paths
from campagne.settings import CampagneSettings
from campagne.testing import RegionKit

SIGN_UPS = 30
CAPACITY = 7


@pytest.fixture
def two_workers(tmp_path: Path, database_url: str, smtp: Inbox
                ) -> Iterator[tuple[Instance, list[str]]]:
    """Two servers on one database holding the reference regions and the accounts."""
    first = RegionKit(tmp_path, database_url).instance(reference_region_paths())
    populate(first)
    second = load_instance(CampagneSettings(database_url=database_url,
                                            load_entry_points=False),
                           reference_region_paths())
    with ExitStack() as stack:
        urls = [stack.enter_context(serve(instance)) for instance in (first, second)]
        yield first, urls
    for instance in (first, second):
        instance.engine.dispose()


def token(url: str, role: str) -> dict[str, str]:
    """Bearer headers for ``role``."""
    answer = httpx.post(f"{url}/api/v1/auth/token",
                        data={"username": EMAILS[role], "password": PASSWORD}, timeout=60)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def all_at_once(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Run ``calls`` from as many threads, released together by a barrier."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], httpx.Response]) -> httpx.Response:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_concurrent_sign_ups_never_exceed_capacity(
        two_workers: tuple[Instance, list[str]], smtp: Inbox) -> None:
    instance, urls = two_workers
    staff = token(urls[0], "staff_gers")
    created = httpx.post(f"{urls[0]}/api/v1/regions/gers/events", headers=staff, json={
        "title": "Club e-commerce", "starts_at": in_days(8), "ends_at": in_days(8, 21),
        "place": "Auch", "capacity": CAPACITY}, timeout=60)
    assert created.status_code == 201, created.text
    event_id = created.json()["id"]
    bodies: list[dict[str, Any]] = [
        {"guest_name": f"Personne {n}", "guest_email": f"p{n}@example.org"}
        for n in range(SIGN_UPS - 2)]
    bodies.append(dict(bodies[0]))  # the same person, sent twice at the same moment

    def call(url: str, body: dict[str, Any], headers: dict[str, str]
             ) -> Callable[[], httpx.Response]:
        return lambda: httpx.post(
            f"{url}/api/v1/regions/gers/events/{event_id}/registrations",
            json=body, headers=headers, timeout=60)

    calls = [call(urls[n % 2], body, staff) for n, body in enumerate(bodies)]
    calls.append(call(urls[1], {}, token(urls[1], "member")))  # a member, in one click
    answers = all_at_once(calls)

    codes = Counter(answer.status_code for answer in answers)
    assert codes == {201: SIGN_UPS - 1, 409: 1}, [a.text for a in answers if a.status_code > 201]
    results = [answer.json() for answer in answers if answer.status_code == 201]
    statuses = Counter(result["status"] for result in results)
    assert statuses == {"confirmed": CAPACITY, "waitlisted": SIGN_UPS - 1 - CAPACITY}
    positions = sorted(r["position"] for r in results if r["status"] == "waitlisted")
    assert positions == list(range(1, SIGN_UPS - CAPACITY))
    with Session(instance.engine) as session:
        confirmed = session.exec(select(func.count()).select_from(Registration).where(
            Registration.meetup_id == event_id, Registration.status == "confirmed")).one()
        twice = session.exec(select(func.count()).select_from(Registration).where(
            Registration.meetup_id == event_id, col(Registration.guest_email) == "p0@example.org",
            col(Registration.status).in_(["confirmed", "waitlisted"]))).one()
    assert (confirmed, twice) == (CAPACITY, 1)

    # Three people cancel at once: the three first waiting get their places, no more.
    leaving = [r["id"] for r in results if r["status"] == "confirmed"][:3]
    first_waiting = {r["id"] for r in results if r["status"] == "waitlisted"
                     and r["position"] <= 3}
    cancels = all_at_once([
        (lambda rid=rid, url=urls[n % 2]: httpx.post(
            f"{url}/api/v1/regions/gers/events/{event_id}/registrations/{rid}/cancel",
            headers=staff, timeout=60)) for n, rid in enumerate(leaving)])
    assert [c.status_code for c in cancels] == [200, 200, 200]
    rows = httpx.get(f"{urls[0]}/api/v1/regions/gers/events/{event_id}/registrations",
                     headers=staff, timeout=60).json()
    now_confirmed = {row["id"] for row in rows if row["status"] == "confirmed"}
    assert len(now_confirmed) == CAPACITY and first_waiting <= now_confirmed
    public = httpx.get(f"{urls[1]}/api/v1/regions/gers/events/{event_id}", timeout=60).json()
    assert (public["places_left"], public["waiting"]) == (0, SIGN_UPS - 1 - CAPACITY - 3)
    deliver(instance)
    assert len(smtp.messages) >= SIGN_UPS - 2 + 6  # the member has an address or not
