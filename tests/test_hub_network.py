"""A network on one machine: two instances with one region each (``campagne demo
--region``), a hub harvesting them over real HTTP on loopback, then one instance stopped.
The hub keeps serving, marks it stale and keeps its last snapshot."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import test_cli_serve as serving

from campagne.cli import main

WAIT_SECONDS = 40


def _json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return json.loads(answer.read())


def _until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"the hub did not {what} in time")
        time.sleep(0.3)


def _statuses(hub: str) -> dict[str, str]:
    return {item["name"]: item["status"] for item in _json(f"{hub}/api/v1/network/instances")}


def test_hub_harvests_two_instances_and_survives_one_stopping(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gers_args = ["demo", "--region", "gers", "--db", f"sqlite:///{tmp_path / 'gers.db'}"]
    orne_args = ["demo", "--region", "orne", "--db", f"sqlite:///{tmp_path / 'orne.db'}"]
    with serving.running(gers_args, tmp_path) as gers:
        orne_server = serving.running(orne_args, tmp_path)
        orne = orne_server.__enter__()
        try:
            hub_yaml = tmp_path / "hub.yaml"
            hub_yaml.write_text(
                f"instances:\n  - name: Gers\n    url: {gers}\n  - name: Orne\n    url: {orne}\n"
                f"database_url: sqlite:///{tmp_path / 'hub.db'}\n"
                "harvest_every_seconds: 1\nstale_after_seconds: 120\n"
                "timeout_seconds: 2\nretries: 1\n")
            started = time.monotonic()
            assert main(["hub", "harvest", str(hub_yaml)]) == 0
            elapsed = time.monotonic() - started
            out = capsys.readouterr().out
            assert "Gers: ok" in out and "Orne: ok" in out
            assert elapsed < 20, f"one harvest of two instances took {elapsed:.1f} s"
            with serving.running(["hub", str(hub_yaml)], tmp_path) as hub:
                _until(lambda: set(_statuses(hub).values()) == {"ok"}, "see both instances")
                compare = _json(f"{hub}/api/v1/network/compare")
                assert compare["regions"] == ["gers", "orne"]
                for index, (base, slug) in enumerate(((gers, "gers"), (orne, "orne"))):
                    published = _json(f"{base}/api/v1/regions/{slug}/stats")
                    assert compare["stats"][index]["indicators"] == published["indicators"]
                orne_figures = compare["stats"][1]["indicators"]
                orne_server.__exit__(None, None, None)
                orne_server = None
                _until(lambda: _statuses(hub)["Orne"] == "stale", "mark the stopped one stale")
                assert _statuses(hub)["Gers"] == "ok"
                after = _json(f"{hub}/api/v1/network/compare")
                assert after["stats"][1]["indicators"] == orne_figures, "last snapshot kept"
                status, page = serving._get(f"{gers}/comparer?lang=en")
                assert status == 200 and b"Regions compared" in page
                status, page = serving._get(f"{hub}/comparer?lang=fr")
                assert status == 200 and "Orne" in page.decode()
        finally:
            if orne_server is not None:
                orne_server.__exit__(None, None, None)
