"""Logs: one ``campagne.access`` line per request with its request id, which the answer
carries in ``X-Request-ID`` and every other line of the request names; a proxy's plain
``X-Request-ID`` is kept; no query string is logged (links' secrets travel there); JSON
lines in production (or ``CAMPAGNE_LOG_FORMAT=json``)."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from cli_kit import campagne_command
from fastapi.testclient import TestClient

from campagne.app import create_app, fastapi_telemetry
from campagne.observability.logs import RequestIdFilter, json_formatter, wants_json
from campagne.observability.middleware import RequestIds
from campagne.settings import CampagneSettings
from campagne.testing import RegionKit

BROKEN = '''
from campagne.toolkit import hookimpl


@hookimpl
def extra_template_vars(region, settings, page, locale):
    raise RuntimeError("no figures today")
'''


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """What the instance's loggers write, as JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(json_formatter())
    loggers = [logging.getLogger(name) for name in ("campagne.access", "campagne.plugin_manager")]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield stream
    for logger in loggers:
        logger.removeHandler(handler)


def records(stream: io.StringIO) -> list[dict[str, object]]:
    """The JSON objects written so far."""
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_request_has_an_id_in_its_answer_and_its_lines(
        tmp_path: Path, lines: io.StringIO) -> None:
    kit = RegionKit(tmp_path)
    instance = kit.instance([kit.region("lot", plugins={"broken.py": BROKEN})])
    with TestClient(create_app(instance)) as client:
        page = client.get("/lot/?lang=en&token=secret-of-a-link")
        given = client.get("/healthz", headers={"X-Request-ID": "proxy-1234abcd"})
        forged = client.get("/healthz", headers={"X-Request-ID": "a\nfake line"})
    request_id = page.headers["x-request-id"]
    assert len(request_id) == 32 and given.headers["x-request-id"] == "proxy-1234abcd"
    assert forged.headers["x-request-id"] not in ("a\nfake line", request_id)
    logged = records(lines)
    failure = next(r for r in logged if r["logger"] == "campagne.plugin_manager")
    assert failure["request_id"] == request_id and failure["level"] == "ERROR"
    [first, second, third] = [r for r in logged if r["logger"] == "campagne.access"]
    assert first["request_id"] == request_id and first["path"] == "/lot/"
    assert (first["method"], first["status"], first["route"]) == ("GET", 200, "/{slug}/")
    assert isinstance(first["duration_ms"], float) and "time" in first
    assert "secret-of-a-link" not in lines.getvalue()
    assert second["request_id"] == "proxy-1234abcd"
    assert third["request_id"] == forged.headers["x-request-id"]
    instance.engine.dispose()


def test_json_in_production_text_elsewhere_unless_told() -> None:
    assert not wants_json(CampagneSettings())
    assert wants_json(CampagneSettings(log_format="json"))
    assert wants_json(CampagneSettings.model_construct(production=True, log_format=None))
    assert not wants_json(CampagneSettings.model_construct(production=True, log_format="text"))


def test_the_command_line_writes_json_lines_when_asked(tmp_path: Path) -> None:
    env = {**os.environ, "CAMPAGNE_LOAD_ENTRY_POINTS": "false", "CAMPAGNE_LOG_FORMAT": "json"}
    done = subprocess.run([*campagne_command(), "db", "upgrade", "--db",
                           f"sqlite:///{tmp_path / 'j.db'}"], env=env, capture_output=True,
                          text=True, check=True)
    logged = [json.loads(line) for line in done.stderr.splitlines()]
    assert logged and {"time", "level", "logger", "message"} <= set(logged[0])
    assert any(line["logger"] == "alembic.runtime.migration" for line in logged)


def test_request_ids_are_unique_within_a_process_and_across_a_fork() -> None:
    ids = RequestIds()
    mine = [ids.next() for _ in range(1000)]
    assert len(set(mine)) == 1000 and all(len(i) == 32 and int(i, 16) >= 0 for i in mine)
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the child writes the id it would give next, and leaves at once
        os.write(writer, ids.next().encode())
        os._exit(0)
    os.close(writer)
    os.waitpid(child, 0)
    forked = os.read(reader, 64).decode()
    os.close(reader)
    assert len(forked) == 32 and forked[:16] != mine[0][:16]  # a prefix of its own
    assert forked not in mine and ids.next() not in [*mine, forked]


@pytest.mark.parametrize("on", [False, True])
def test_fastapi_opentelemetry_follows_the_setting(tmp_path: Path, on: bool) -> None:
    kit = RegionKit(tmp_path)
    instance = kit.instance([kit.region("lot")])
    settings = instance.settings.model_copy(update={"opentelemetry": on})
    assert fastapi_telemetry(settings) == {"tracing": on, "metrics": on, "logs": on}
    app = create_app(replace(instance, settings=settings))
    # FastAPI's own configuration of its instrumentation (its ``telemetry`` argument).
    assert {key: app._telemetry[key] for key in ("tracing", "metrics", "logs")} == \
        dict.fromkeys(("tracing", "metrics", "logs"), on)
    with TestClient(app) as client:
        assert client.get("/lot/").status_code == 200
    instance.engine.dispose()
