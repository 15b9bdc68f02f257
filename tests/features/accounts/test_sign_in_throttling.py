"""Sign-in under attack (issue 11, item 6): attempts counted before hashing, hashes bounded
per process, an attacker unable to lock the real user out. No test here depends on timing:
threads meet at barriers and wait on conditions; the clock is a fake where time matters."""

from __future__ import annotations

import datetime as dt
import html
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from accounts_kit import EMAILS, PASSWORD, populate, world
from sqlalchemy import Engine
from sqlmodel import Session, select

from campagne.app import create_app
from campagne.auth import signin, throttle
from campagne.auth.accounts import create_account
from campagne.auth.models import Role, SignInCounter
from campagne.auth.passwords import hashing_slot
from campagne.auth.signin import SignInRefused
from campagne.db import make_engine, upgrade
from campagne.i18n import format_wait
from campagne.regions import reference_region_paths
from campagne.settings import CampagneSettings
from campagne.testing import RegionKit, served

ADMIN = "admin@example.org"
WRONG = "not the password at all"
ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"
SAFETY = 120  # seconds: only ever reached when the code under test is broken


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """The schema and one administrator account."""
    built = make_engine(database_url)
    upgrade(built)
    with Session(built) as session:
        create_account(session, CampagneSettings(), email=ADMIN, role=Role.ADMIN,
                       password=PASSWORD)
        session.commit()
    yield built
    built.dispose()


def attempt(engine: Engine, settings: CampagneSettings, email: str, password: str,
            address: str) -> str:
    """One sign-in in its own session: ``ok``, ``wrong``, ``429`` or ``503``."""
    with Session(engine) as session:
        try:
            user = signin.sign_in(session, settings, email, password, address, "api")
        except SignInRefused as refused:
            return str(refused.status)
    return "ok" if user is not None else "wrong"


@dataclass
class GatedHash:
    """Stands in for ``verify_password``: each call waits until every one of ``total``
    attempts has either reached the hash or been refused, so that all the hashes that
    the code lets through run at the same moment; counts them."""

    total: int
    real: Callable[..., bool]
    entered: int = 0
    inside: int = 0
    most_inside: int = 0
    refused: int = 0
    condition: threading.Condition = field(default_factory=threading.Condition)

    def __call__(self, *args: Any) -> bool:
        with self.condition:
            self.entered += 1
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
            self.condition.notify_all()
            self.condition.wait_for(self._all_arrived, timeout=SAFETY)
            self.inside -= 1
        return self.real(*args)

    def refusal(self) -> None:
        with self.condition:
            self.refused += 1
            self.condition.notify_all()

    def _all_arrived(self) -> bool:
        return self.entered + self.refused >= self.total


def race(total: int, run: Callable[[int], str], gate: GatedHash | None = None) -> list[str]:
    """Run ``total`` attempts in threads released together by a barrier; tell ``gate``
    about each refusal."""
    barrier = threading.Barrier(total)
    results: list[str] = [""] * total

    def one(index: int) -> None:
        barrier.wait(timeout=SAFETY)
        try:
            results[index] = run(index)
        finally:
            if gate is not None and results[index] in ("429", "503"):
                gate.refusal()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(total)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SAFETY)
    return results


def test_concurrent_failures_never_verify_more_than_the_limit(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = CampagneSettings(login_concurrent_hashes=64, login_hash_wait_seconds=0)
    gate = GatedHash(48, signin.verify_password)
    monkeypatch.setattr(signin, "verify_password", gate)
    results = race(48, lambda _i: attempt(engine, settings, ADMIN, WRONG, ATTACKER), gate)
    assert gate.entered == settings.login_max_failures == 5
    assert sorted(results) == ["429"] * 43 + ["wrong"] * 5
    assert attempt(engine, settings, ADMIN, PASSWORD, ATTACKER) == "429"  # the pair is locked


def test_hashes_at_once_stay_within_the_slots(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = CampagneSettings(login_concurrent_hashes=4, login_hash_wait_seconds=0,
                                login_account_slowdown_after=100)
    gate = GatedHash(40, signin.verify_password)
    monkeypatch.setattr(signin, "verify_password", gate)
    results = race(40, lambda i: attempt(engine, settings, ADMIN, WRONG, f"192.0.2.{i}"),
                   gate)
    assert gate.most_inside == gate.entered == 4
    assert sorted(results) == ["503"] * 36 + ["wrong"] * 4
    # An attempt refused for lack of a slot is not counted: only the four hashed ones are.
    account = throttle.counter_keys(settings, ADMIN, None)["account"]
    with Session(engine) as session:
        counter = session.get(SignInCounter, account)
    assert counter is not None and counter.attempts == 4


def test_owner_gets_in_from_another_address_while_an_attacker_hammers(
        engine: Engine) -> None:
    settings = CampagneSettings(login_concurrent_hashes=64)
    results = race(40, lambda _i: attempt(engine, settings, ADMIN, WRONG, ATTACKER))
    assert results.count("wrong") == 5
    results = [attempt(engine, settings, ADMIN, WRONG, ATTACKER) for _ in range(20)]
    assert set(results) == {"429"}
    assert attempt(engine, settings, ADMIN, PASSWORD, OWNER) == "ok"
    assert attempt(engine, settings, ADMIN, PASSWORD, ATTACKER) == "429"


class Clock:
    """A fake clock for the sign-in module."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def test_guessing_from_many_addresses_slows_the_account_down_without_locking_it(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = CampagneSettings(login_max_failures=2, login_account_slowdown_after=6)
    clock = Clock()
    monkeypatch.setattr(signin, "utc_now", clock)

    def sign(password: str, address: str) -> str:
        return attempt(engine, settings, ADMIN, password, address)

    assert sign(PASSWORD, OWNER) == "ok"  # the owner's usual address, now known
    assert [sign(WRONG, f"192.0.2.{i // 2}") for i in range(6)] == ["wrong"] * 6
    assert sign(WRONG, "192.0.2.50") == "429"  # slowed down: one second to wait
    assert sign(PASSWORD, "192.0.2.51") == "429"  # the owner elsewhere waits too...
    assert sign(PASSWORD, OWNER) == "ok"  # ...but not from where they signed in before
    clock.advance(1)
    assert sign(WRONG, "192.0.2.50") == "wrong"  # the wait is over: no lock
    clock.advance(1)
    assert sign(WRONG, "192.0.2.52") == "429"  # the next wait is two seconds
    clock.advance(1)
    assert sign(PASSWORD, "192.0.2.51") == "ok"
    clock.advance(15 * 60)
    assert [sign(WRONG, "192.0.2.60") for _ in range(3)] == ["wrong", "wrong", "429"]


def test_throttled_answers_say_when_to_retry(tmp_path: Path, database_url: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAGNE_LOGIN_CONCURRENT_HASHES", "1")
    monkeypatch.setenv("CAMPAGNE_LOGIN_HASH_WAIT_SECONDS", "0")
    with world(tmp_path, database_url) as w:
        form = {"username": EMAILS["staff_orne"], "password": PASSWORD}
        with hashing_slot(w.instance.settings):  # the only slot is taken
            busy = w.client.post("/api/v1/auth/token", data=form)
            page = w.client.get("/account/sign-in")
            csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
            busy_page = w.client.post("/account/sign-in", data={
                "csrf": csrf, "email": EMAILS["staff_orne"], "password": PASSWORD})
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
        assert busy.json() == {"detail": "Too many sign-ins at once; retry in a moment"}
        assert busy_page.status_code == 503 and busy_page.headers["Retry-After"] == "1"
        for _ in range(5):
            assert w.client.post("/api/v1/auth/token", data={
                **form, "password": WRONG}).status_code == 401
        throttled = w.client.post("/api/v1/auth/token", data=form,
                                  headers={"Accept-Language": "en"})
        assert throttled.status_code == 429
        wait = int(throttled.headers["Retry-After"])
        assert 0 < wait <= 15 * 60
        # what was limited and for how long, in the request's language
        assert throttled.json()["detail"] == (
            "Too many failed sign-ins to this account or from your network. Try again in "
            f"{format_wait(wait, locale='en')}.")
        french = w.client.post("/api/v1/auth/token", data=form,
                               headers={"Accept-Language": "fr"})
        assert french.json()["detail"] == (
            "Trop de connexions échouées à ce compte ou depuis votre réseau. Réessayez dans "
            f"{format_wait(int(french.headers['Retry-After']), locale='fr')}.")
        page = w.client.get("/account/sign-in?lang=fr")
        csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
        refused = w.client.post("/account/sign-in", data={
            "csrf": csrf, "email": EMAILS["staff_orne"], "password": PASSWORD})
        assert refused.status_code == 429 and refused.headers["content-type"].startswith(
            "text/html")
        assert "<h1" in refused.text  # the styled sign-in page, not raw JSON
        assert ("Trop de connexions échouées à ce compte ou depuis votre réseau. Réessayez "
                f"dans {format_wait(int(refused.headers['Retry-After']), locale='fr')}."
                in html.unescape(refused.text))


def test_owner_signs_in_on_the_page_while_an_attacker_hammers_the_api(
        tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A busy machine may keep a hashing slot longer than the default second of waiting.
    monkeypatch.setenv("CAMPAGNE_LOGIN_HASH_WAIT_SECONDS", "30")
    instance = RegionKit(tmp_path, database_url).instance(reference_region_paths())
    populate(instance)
    admin = EMAILS["admin"]
    try:
        with served(create_app(instance)) as url:
            def hammer(_index: int) -> str:
                with httpx.Client(base_url=url, timeout=SAFETY,
                                  headers={"X-Forwarded-For": ATTACKER}) as c:
                    answer = c.post("/api/v1/auth/token",
                                    data={"username": admin, "password": WRONG})
                    return str(answer.status_code)

            statuses = race(40, hammer)
            assert sorted(set(statuses)) == ["401", "429"] and statuses.count("401") == 5
            with httpx.Client(base_url=url, timeout=SAFETY,
                              headers={"X-Forwarded-For": OWNER}) as owner:
                page = owner.get("/account/sign-in")
                csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
                signed = owner.post("/account/sign-in", data={
                    "csrf": csrf, "email": admin, "password": PASSWORD})
                assert signed.status_code == 303, signed.text
    finally:
        instance.engine.dispose()


def test_counters_keep_no_typed_text(engine: Engine) -> None:
    settings = CampagneSettings()
    typed = "my secret password 2026"
    assert attempt(engine, settings, typed, WRONG, ATTACKER) == "wrong"
    with Session(engine) as session:
        keys = session.exec(select(SignInCounter.key)).all()
    assert keys and not any(typed in key or ATTACKER in key for key in keys)
