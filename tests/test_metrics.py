"""``/metrics``: scraped as Prometheus would, it exposes request latency by route, plug-in
failures by plug-in and hook, the mail queue, the database pool and the jobs' last runs;
it answers only the networks (and token) the settings allow."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session

from campagne.app import create_app
from campagne.jobs.registry import registered_jobs
from campagne.jobs.runner import run_now
from campagne.observability.route import allowed
from campagne.outbox.queue import queue_mail
from campagne.settings import CampagneSettings
from campagne.testing import RegionKit

BROKEN = '''
from campagne.toolkit import hookimpl


@hookimpl
def extra_template_vars(region, settings, page, locale):
    raise RuntimeError("no figures today")
'''


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, by name and labels."""
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def test_a_scrape_exposes_the_named_series(tmp_path: Path) -> None:
    kit = RegionKit(tmp_path)
    instance = kit.instance([kit.region("lot", plugins={"broken.py": BROKEN})])
    with Session(instance.engine) as session:
        for n in range(3):
            queue_mail(session, instance.settings, kind="test", to=f"p{n}@example.org",
                       subject="Bonjour", body="Bonjour\n")
        session.commit()
    purge = next(job for job in registered_jobs(instance) if job.name.endswith(".purge"))
    run_now(instance, purge, worker="w1")
    with TestClient(create_app(instance), client=("127.0.0.1", 40000)) as client:
        assert client.get("/lot/").status_code == 200
        assert client.get("/lot/services").status_code == 200
        assert client.get("/lot/services").status_code == 200
        assert client.get("/nowhere/at/all").status_code == 404
        scrape = client.get("/metrics")
    assert scrape.status_code == 200
    assert scrape.headers["content-type"].startswith("text/plain; version=")
    seen = samples(scrape.text)
    count = "campagne_http_request_duration_seconds_count"
    assert seen[(count, (("method", "GET"), ("route", "/{slug}/services"),
                         ("status", "2xx")))] == 2
    assert seen[(count, (("method", "GET"), ("route", "unmatched"), ("status", "4xx")))] == 1
    plugin = next(name for name in instance.plugins.records if name.endswith("broken"))
    assert seen[("campagne_plugin_failures_total",
                 (("hook", "extra_template_vars"), ("plugin", plugin)))] >= 1
    assert seen[("campagne_outbox_mails", (("state", "queued"),))] == 3
    assert seen[("campagne_outbox_mails", (("state", "failed"),))] == 0
    assert seen[("campagne_outbox_oldest_queued_age_seconds", ())] >= 0
    assert ("campagne_db_pool_connections", (("state", "in_use"),)) in seen
    assert ("campagne_job_last_run_timestamp_seconds",
            (("job", "campagne.platform.purge"), ("state", "done"))) in seen
    instance.engine.dispose()


def test_only_the_allowed_networks_and_token_may_scrape(tmp_path: Path) -> None:
    kit = RegionKit(tmp_path)
    instance = kit.instance([kit.region("lot")])
    app = create_app(instance)
    with TestClient(app, client=("203.0.113.9", 40000)) as outsider:
        assert outsider.get("/metrics").status_code == 404
    with TestClient(app, client=("::1", 40000)) as local:
        assert local.get("/metrics").status_code == 200
    settings = CampagneSettings(metrics_allow=["10.0.0.0/8"], metrics_token="s" * 20)
    assert allowed(settings, "10.1.2.3", "Bearer " + "s" * 20)
    assert not allowed(settings, "10.1.2.3", None)
    assert not allowed(settings, "10.1.2.3", "Bearer " + "t" * 20)
    assert not allowed(settings, "127.0.0.1", "Bearer " + "s" * 20)
    assert not allowed(settings, "not an address", "Bearer " + "s" * 20)
    with pytest.raises(ValueError, match="'everyone' is not a network"):
        CampagneSettings(metrics_allow=["everyone"])
    instance.engine.dispose()
