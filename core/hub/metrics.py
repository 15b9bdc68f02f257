"""The hub's ``/metrics``: the outcome of each instance's last harvest and the runs of the
harvest job, read from the hub's database at scrape time (every hub process reports the
same); who may read it is set as for an instance (``CAMPAGNE_METRICS_ALLOW``,
``CAMPAGNE_METRICS_TOKEN``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from fastapi import APIRouter, HTTPException, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from campagne.api.security import client_address
from campagne.hub.config import HubConfig
from campagne.hub.models import HubInstance, HubJobRun
from campagne.observability.route import allowed
from campagne.settings import CampagneSettings

OUTCOMES = ("ok", "unreachable", "invalid", "never")


class HarvestCollector(Collector):
    """Series of the harvests, from ``hub_instance`` and ``hub_job_run``."""

    def __init__(self, config: HubConfig, engine: Engine) -> None:
        self.config, self.engine = config, engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Yield the harvest series (none when the database does not answer)."""
        try:
            with Session(self.engine) as session:
                rows = {row.name: row for row in session.exec(select(HubInstance)).all()}
                runs = dict(session.exec(select(HubJobRun.state, func.count())
                                         .group_by(col(HubJobRun.state))).all())
        except Exception:  # noqa: BLE001 - a scrape must answer
            return
        outcome = GaugeMetricFamily(
            "campagne_hub_instance_last_outcome",
            "1 for the outcome of each instance's last harvest", labels=["instance", "outcome"])
        success = GaugeMetricFamily(
            "campagne_hub_instance_last_success_timestamp_seconds",
            "When each instance was last harvested successfully", labels=["instance"])
        for member in self.config.instances:
            row = rows.get(member.name)
            last = row.last_outcome if row is not None else "never"
            for name in OUTCOMES:
                outcome.add_metric([member.name, name], 1.0 if name == last else 0.0)
            if row is not None and row.last_success_at is not None:
                moment = row.last_success_at
                aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
                success.add_metric([member.name], aware.timestamp())
        harvests = GaugeMetricFamily("campagne_hub_harvest_runs",
                                     "Runs of the harvest job kept, by state", labels=["state"])
        for state in ("running", "done", "failed"):
            harvests.add_metric([state], float(runs.get(state, 0)))
        yield outcome
        yield success
        yield harvests


def metrics_router(config: HubConfig, engine: Engine) -> APIRouter:
    """``/metrics`` for the hub."""
    registry = CollectorRegistry(auto_describe=True)
    registry.register(HarvestCollector(config, engine))
    settings = CampagneSettings()
    router = APIRouter(include_in_schema=False)

    @router.get("/metrics")
    def metrics(request: Request) -> Response:
        if not allowed(settings, client_address(request), request.headers.get("authorization")):
            raise HTTPException(status_code=404)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST,
                        headers={"Cache-Control": "no-store"})

    return router
