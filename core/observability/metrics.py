"""The instance's Prometheus metrics, on a registry of its own (one per application, so
that several applications in one process never share series).

Request latency is measured as requests pass; the rest is read from the database and the
plug-in manager when ``/metrics`` is scraped, so that every worker reports the same mail
queue and job states, and nothing is counted twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlmodel import Session, col, select

from campagne.instance import Instance
from campagne.jobs.models import JobRun, RunState
from campagne.models import utc_now
from campagne.outbox.models import MailState, OutboxMail

#: Latency buckets in seconds: pages answer in milliseconds, exports in seconds.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class InstanceMetrics:
    """The registry of one application and its request histogram."""

    def __init__(self, instance: Instance) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Histogram(
            "campagne_http_request_duration_seconds",
            "Time to answer a request, by method, route template and status class",
            ["method", "route", "status"], registry=self.registry, buckets=BUCKETS)
        self.registry.register(StateCollector(instance))


class StateCollector(Collector):
    """Series read at scrape time: plug-in failures, the mail queue, the database pool and
    the scheduled jobs."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        """Yield every series (a database that does not answer yields none of its own)."""
        yield self._plugin_failures()
        yield self._pool()
        try:
            yield from self._from_database()
        except Exception:  # noqa: BLE001 - a scrape must answer; /readyz says why
            return

    def _plugin_failures(self) -> CounterMetricFamily:
        family = CounterMetricFamily(
            "campagne_plugin_failures", "Contained failures of plug-ins, by plug-in and hook",
            labels=["plugin", "hook"])
        counts: dict[tuple[str, str], int] = {}
        for name, record in self.instance.plugins.records.items():
            for failure in record.failures:
                counts[(name, failure.hook)] = counts.get((name, failure.hook), 0) + 1
        for (plugin, hook), count in sorted(counts.items()):
            family.add_metric([plugin, hook], count)
        return family

    def _pool(self) -> GaugeMetricFamily:
        family = GaugeMetricFamily(
            "campagne_db_pool_connections",
            "Database connections of this process's pool, by state", labels=["state"])
        pool = self.instance.engine.pool
        for state, reader in (("in_use", "checkedout"), ("idle", "checkedin"),
                              ("size", "size")):
            method = getattr(pool, reader, None)
            if callable(method):
                family.add_metric([state], float(method()))
        return family

    def _from_database(self) -> Iterator[GaugeMetricFamily]:
        now = utc_now()
        with Session(self.instance.engine) as session:
            states = dict(session.exec(select(OutboxMail.state, func.count())
                                       .group_by(col(OutboxMail.state))).all())
            oldest = session.exec(select(func.min(OutboxMail.created_at)).where(
                OutboxMail.state == MailState.QUEUED.value)).one()
            runs = session.exec(select(JobRun.job, JobRun.state, func.max(JobRun.slot))
                                .group_by(col(JobRun.job), col(JobRun.state))).all()
        queue = GaugeMetricFamily("campagne_outbox_mails",
                                  "E-mails of the outbox, by state", labels=["state"])
        for state in (item.value for item in MailState):
            queue.add_metric([state], float(states.get(state, 0)))
        yield queue
        age = GaugeMetricFamily("campagne_outbox_oldest_queued_age_seconds",
                                "Age of the oldest e-mail waiting (0 when none waits)")
        age.add_metric([], _age(oldest, now))
        yield age
        last = GaugeMetricFamily(
            "campagne_job_last_run_timestamp_seconds",
            "Due time of each job's latest run, by how it ended", labels=["job", "state"])
        for job, state, slot in sorted(runs):
            if state != RunState.RUNNING.value:
                last.add_metric([job, state], _timestamp(slot))
        yield last


def _age(moment: dt.datetime | None, now: dt.datetime) -> float:
    if moment is None:
        return 0.0
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return max((now - aware).total_seconds(), 0.0)


def _timestamp(moment: dt.datetime) -> float:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.timestamp()
