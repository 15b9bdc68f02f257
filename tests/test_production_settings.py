"""Production settings and the instance key (issue 11, item 8): the key file made
atomically, weak keys and Argon2 parameters refused, plain HTTP refused unless a
TLS-terminating proxy is declared, and then Secure cookies and HSTS on every answer."""

from __future__ import annotations

import secrets
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from campagne.app import create_app, create_app_from_env
from campagne.auth import secret
from campagne.auth.production import argon2_problem, key_problem
from campagne.cli import main
from campagne.regions import reference_region_paths
from campagne.settings import CampagneSettings
from campagne.testing import RegionKit

STRONG_KEY = "Xq7vN2pR9tLm4KwZ8sBc3HdYf6GjUe1A-oTnV_5iQ0rE"
SAFETY = 120  # seconds: only ever reached when the code under test is broken


def test_key_file_is_never_read_before_it_is_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One process is making the key; another asks for it at that very moment."""
    settings = CampagneSettings(secret_key=None, secret_key_file=str(tmp_path / "key"))
    making, go_on = threading.Event(), threading.Event()
    real, asking = secrets.token_urlsafe, threading.current_thread()

    def slow_token(size: int) -> str:
        if threading.current_thread() is not asking:  # the maker pauses mid-way
            making.set()
            go_on.wait(timeout=SAFETY)
        return real(size)

    monkeypatch.setattr(secret.secrets, "token_urlsafe", slow_token)
    found: list[str] = []
    maker = threading.Thread(target=lambda: found.append(secret.secret_key(settings)))
    maker.start()
    assert making.wait(timeout=SAFETY)
    mine = secret.secret_key(settings)  # while the other one is still making its key
    go_on.set()
    maker.join(timeout=SAFETY)
    assert len(mine) >= 48 and found == [mine]
    assert (tmp_path / "key").read_text(encoding="ascii") == mine
    assert (tmp_path / "key").stat().st_mode & 0o077 == 0
    assert [p.name for p in tmp_path.iterdir()] == ["key"]  # no temporary file left


def test_many_threads_share_one_key(tmp_path: Path) -> None:
    settings = CampagneSettings(secret_key=None, secret_key_file=str(tmp_path / "key"))
    barrier = threading.Barrier(16)
    keys: list[str] = []

    def read() -> None:
        barrier.wait(timeout=SAFETY)
        keys.append(secret.secret_key(settings))

    threads = [threading.Thread(target=read) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SAFETY)
    assert len(keys) == 16 and len(set(keys)) == 1 and len(keys[0]) >= 48


def test_a_cut_short_key_file_stops_the_start(tmp_path: Path) -> None:
    (tmp_path / "key").write_text("", encoding="ascii")
    settings = CampagneSettings(secret_key=None, secret_key_file=str(tmp_path / "key"))
    with pytest.raises(secret.InsecureSettings, match="incomplete"):
        secret.secret_key(settings)


@pytest.mark.parametrize(("key", "problem"), [
    ("a" * 64, "variety"),
    ("ab" * 32, "variety"),
    ("0123456789" * 4, "pattern"),
    ("Kx8!pQ2#mZ7@wR4$" * 3, "pattern"),
    ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "sequence"),
    ("short-but-random-9f8e7d", "shorter than 32 bytes"),
    ("change-me-change-me-change-me-change-me", "example"),
])
def test_weak_keys_are_refused(key: str, problem: str) -> None:
    assert problem in (key_problem(key) or "")


@pytest.mark.parametrize("key", [
    STRONG_KEY, "3f9a1c07e45b82d6a0c9f1e3b7d25a84",  # 32 hexadecimal digits (128 bits)
    "kP0c7Xh2Lr9W-v1Nq8Zt3Bd6Yf4Gm5Js_aEeRuIiOoSs"])
def test_random_keys_are_accepted(key: str) -> None:
    assert key_problem(key) is None


@pytest.mark.parametrize(("memory", "passes", "accepted"), [
    (8, 1, False), (19455, 2, False), (19456, 1, False), (19456, 2, True),
    (47104, 1, True), (7168, 5, True), (65536, 3, True)])
def test_argon2_below_owasp_minimums_is_refused(memory: int, passes: int,
                                                accepted: bool) -> None:
    settings = CampagneSettings(argon2_memory_kib=memory, argon2_time_cost=passes)
    problem = argon2_problem(settings)
    assert (problem is None) is accepted
    if problem:
        assert "CAMPAGNE_ARGON2_MEMORY_KIB" in problem
        assert "CAMPAGNE_ARGON2_TIME_COST" in problem


def test_serve_refuses_each_unsafe_setting_by_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("uvicorn.run", lambda *_args, **_kwargs: None)  # never serve here
    monkeypatch.setenv("CAMPAGNE_PRODUCTION", "true")
    monkeypatch.setenv("CAMPAGNE_SECRET_KEY", "x" * 40)
    regions = [str(path) for path in reference_region_paths()]
    assert main(["serve", *regions, "--db", f"sqlite:///{tmp_path / 'real.db'}",
                 "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("campagne: refusing to start: in production mode")
    for setting in ("CAMPAGNE_SECRET_KEY", "CAMPAGNE_ARGON2_MEMORY_KIB",
                    "CAMPAGNE_PUBLIC_URL"):
        assert setting in err
    assert "Traceback" not in err and "x" * 40 not in err


def test_worker_factory_refuses_without_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CAMPAGNE_PRODUCTION", "true")
    monkeypatch.setenv("CAMPAGNE_DATABASE_URL", f"sqlite:///{tmp_path / 'real.db'}")
    monkeypatch.setenv("CAMPAGNE_REGION_DIRS",
                       '["' + '", "'.join(str(p) for p in reference_region_paths()) + '"]')
    with pytest.raises(SystemExit) as stopped:
        create_app_from_env()
    assert stopped.value.code == 2
    assert "CAMPAGNE_PUBLIC_URL must start with https://" in capsys.readouterr().err


def test_worker_factory_names_an_invalid_setting_without_a_traceback(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Exit 2, which the systemd unit of docs/deployment.md does not restart."""
    monkeypatch.setenv("CAMPAGNE_SMTP_PORT", "five-eight-seven")
    with pytest.raises(SystemExit) as stopped:
        create_app_from_env()
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "campagne: CAMPAGNE_SMTP_PORT: Input should be a valid integer" in err
    assert "Traceback" not in err


def production_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings production mode accepts."""
    monkeypatch.setenv("CAMPAGNE_PRODUCTION", "true")
    monkeypatch.setenv("CAMPAGNE_SECRET_KEY", STRONG_KEY)
    monkeypatch.setenv("CAMPAGNE_ARGON2_MEMORY_KIB", "19456")
    monkeypatch.setenv("CAMPAGNE_ARGON2_TIME_COST", "2")
    monkeypatch.setenv("CAMPAGNE_PUBLIC_URL", "https://campagne.example.org")


def test_behind_a_declared_tls_proxy_cookies_are_secure_and_hsts_is_sent(
        tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    production_ready(monkeypatch)
    instance = RegionKit(tmp_path, database_url).instance(reference_region_paths())
    try:
        # The proxy speaks plain HTTP to the instance and forwards no scheme.
        with TestClient(create_app(instance), base_url="http://testserver") as client:
            form = client.get("/account/sign-in")
            home = client.get("/")
    finally:
        instance.engine.dispose()
    assert form.status_code == 200 and home.status_code == 200
    cookie = form.headers["set-cookie"]
    assert cookie.startswith("__Host-campagne_csrf=") and "secure" in cookie.lower()
    for answer in (form, home):
        assert answer.headers["strict-transport-security"].startswith("max-age=31536000")
