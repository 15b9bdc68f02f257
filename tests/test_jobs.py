"""Scheduled jobs: registered by a plug-in, run once per due time whatever the number of
workers (SQLite and PostgreSQL), failures contained, schedules changed or switched off by
the settings, and ``campagne jobs``. Time is given as ``now``: nothing waits."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from accounts_kit import signed_in_client, world
from pydantic import ValidationError
from sqlmodel import Session, select

from campagne.cli import main
from campagne.instance import Instance
from campagne.jobs.models import JobRun
from campagne.jobs.registry import registered_jobs, unknown_overrides
from campagne.jobs.runner import run_due, run_now
from campagne.jobs.schedule import latest_slot
from campagne.plugin_types import ScheduledJob
from campagne.settings import CampagneSettings
from campagne.testing import RegionKit

COUNTER = '''
from pathlib import Path

from campagne.toolkit import JobContext, ScheduledJob, hookimpl

LOG = Path(__file__).with_name("runs.log")


def count(context: JobContext) -> str:
    slugs = ",".join(region.slug for region in context.regions)
    with LOG.open("a", encoding="utf-8") as log:
        log.write(f"{context.now.isoformat()} {slugs}\\n")
    return f"counted in {slugs}"


def broken(context: JobContext) -> str:
    raise RuntimeError("the census office is closed")


@hookimpl
def scheduled_jobs():
    return [ScheduledJob("census", "0 7 * * *", count, description="Count"),
            ScheduledJob("broken", "0 7 * * *", broken)]
'''
#: 7:00 in Paris on a winter day is 6:00 UTC.
MORNING = dt.datetime(2026, 12, 8, 6, 30, tzinfo=dt.UTC)


def counter_instance(kit: RegionKit) -> tuple[Instance, Path]:
    """An instance whose region ``lot`` has the counting plug-in; the log it writes."""
    folder = kit.region("lot", plugins={"census.py": COUNTER})
    return kit.instance([folder]), folder / "plugins" / "runs.log"


def job_named(instance: Instance, suffix: str) -> str:
    """The full name of the registered job ending with ``suffix``."""
    return next(job.name for job in registered_jobs(instance) if job.name.endswith(suffix))


def test_hook_scheduled_jobs(tmp_path: Path) -> None:
    """A region's plug-in registers a job; it runs once per due time, for the regions
    where the plug-in is on, and ``now`` is the due time, not the clock."""
    instance, log = counter_instance(RegionKit(tmp_path))
    census = job_named(instance, ".census")
    jobs = [job for job in registered_jobs(instance) if job.name == census]
    assert jobs[0].plugin != "campagne.platform" and jobs[0].schedule == "0 7 * * *"
    reports = run_due(instance, jobs, worker="w1", now=MORNING)
    assert [(r.job, r.state, r.outcome) for r in reports] == [(census, "done", "counted in lot")]
    assert log.read_text().splitlines() == ["2026-12-08T06:00:00+00:00 lot"]
    assert run_due(instance, jobs, worker="w1", now=MORNING + dt.timedelta(hours=5)) == []
    next_day = run_due(instance, jobs, worker="w1", now=MORNING + dt.timedelta(days=1))
    assert [r.state for r in next_day] == ["done"]
    assert len(log.read_text().splitlines()) == 2
    instance.engine.dispose()


def test_a_worker_back_after_days_runs_the_latest_due_time_once(tmp_path: Path) -> None:
    instance, log = counter_instance(RegionKit(tmp_path))
    jobs = [job for job in registered_jobs(instance) if job.name.endswith(".census")]
    run_due(instance, jobs, worker="w1", now=MORNING)
    run_due(instance, jobs, worker="w1", now=MORNING + dt.timedelta(days=4))
    assert [line.split()[0] for line in log.read_text().splitlines()] == [
        "2026-12-08T06:00:00+00:00", "2026-12-12T06:00:00+00:00"]
    instance.engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_workers_together_run_a_due_time_once(
        request: pytest.FixtureRequest, tmp_path: Path, backend: str) -> None:
    """Four workers in threads, started together, on the same due time: one runs it."""
    from campagne.testing_plugin import backend_database_url

    url = backend_database_url(request, backend, tmp_path, schema="campagne_test_jobs")
    instance, log = counter_instance(RegionKit(tmp_path, database_url=url))
    jobs = [job for job in registered_jobs(instance) if job.name.endswith(".census")]
    start = threading.Barrier(4)
    ran: list[str] = []

    def work(name: str) -> None:
        start.wait()
        ran.extend(r.state for r in run_due(instance, jobs, worker=name, now=MORNING))

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ran == ["done"] and len(log.read_text().splitlines()) == 1
    with Session(instance.engine) as session:
        assert len(session.exec(select(JobRun)).all()) == 1
    instance.engine.dispose()


def test_a_failing_job_is_recorded_and_the_others_run(tmp_path: Path) -> None:
    instance, log = counter_instance(RegionKit(tmp_path))
    reports = {r.job.rsplit(".", 1)[1]: r for r in
               run_due(instance, registered_jobs(instance), worker="w1", now=MORNING)}
    assert reports["broken"].state == "failed"
    assert reports["broken"].outcome == "RuntimeError: the census office is closed"
    assert reports["census"].state == "done" and log.exists()
    plugin = next(job.plugin for job in registered_jobs(instance) if job.name.endswith("broken"))
    failures = instance.plugins.records[plugin].failures
    assert [(f.hook, f.message) for f in failures] == [
        ("scheduled_jobs", "RuntimeError: the census office is closed")]
    with Session(instance.engine) as session:
        run = session.exec(select(JobRun).where(JobRun.job.endswith("broken"))).one()  # type: ignore[attr-defined]
        assert run.state == "failed" and run.finished_at is not None
    instance.engine.dispose()


def test_settings_change_a_schedule_or_switch_a_job_off(tmp_path: Path) -> None:
    kit = RegionKit(tmp_path)
    instance, _log = counter_instance(kit)
    census, broken = job_named(instance, ".census"), job_named(instance, ".broken")
    moved = Instance(settings=instance.settings.model_copy(update={"job_schedules": {
        census: "0 5 * * *", broken: "off", "campagne.nothing": "off"}}),
        regions=instance.regions, plugins=instance.plugins, engine=instance.engine)
    jobs = registered_jobs(moved)
    assert {job.name: job.schedule for job in jobs}[census] == "0 5 * * *"
    assert [job.name for job in jobs if job.switched_off] == [broken]
    assert unknown_overrides(moved, jobs) == ["campagne.nothing"]
    reports = run_due(moved, jobs, worker="w1", now=MORNING)
    # Every job without a run yet runs its latest due time (the features' notifications too).
    assert [r.job for r in reports] == ["campagne.meetups.meetup_reminder",
                                        "campagne.pipeline.followup_digest",
                                        "campagne.platform.purge", census]
    with pytest.raises(ValidationError, match="job x: 'every day' is not a cron schedule"):
        CampagneSettings(job_schedules={"x": "every day"})
    instance.engine.dispose()


def test_a_schedule_is_read_in_paris_time_across_the_clock_change() -> None:
    assert latest_slot("0 7 * * *", dt.datetime(2026, 7, 1, 6, 0, tzinfo=dt.UTC)) == \
        dt.datetime(2026, 7, 1, 5, 0, tzinfo=dt.UTC)
    assert latest_slot("0 7 * * *", dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)) == \
        dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)


def test_a_job_name_must_be_short_and_plain() -> None:
    with pytest.raises(ValueError, match="job name 'Send Mail!'"):
        ScheduledJob("Send Mail!", "0 7 * * *", lambda context: None)


def test_run_now_runs_at_once_and_the_purge_job_is_there(tmp_path: Path) -> None:
    instance, _log = counter_instance(RegionKit(tmp_path))
    purge = next(job for job in registered_jobs(instance) if job.name == "campagne.platform.purge")
    report = run_now(instance, purge, worker="w1", now=MORNING)
    assert report.state == "done" and report.outcome is not None
    assert report.outcome.endswith("inquiry record(s) anonymised")
    assert run_now(instance, purge, worker="w2", now=MORNING).state == "skipped"
    instance.engine.dispose()


def test_the_jobs_command_lists_and_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    kit = RegionKit(tmp_path)
    folder = kit.region("lot", plugins={"census.py": COUNTER})
    monkeypatch.setenv("CAMPAGNE_LOAD_ENTRY_POINTS", "false")
    database = ["--db", kit.database_url, str(folder)]
    assert main(["jobs", *database]) == 0
    listing = capsys.readouterr().out
    assert "campagne.platform.purge\t30 3 * * *\t" in listing and "never" in listing
    assert main(["jobs", "--run", "nothing.at.all", *database]) == 2
    assert "no job 'nothing.at.all'; the jobs are: " in capsys.readouterr().err
    census = next(line.split("\t")[0] for line in listing.splitlines()
                  if line.split("\t")[0].endswith(".census"))
    assert main(["jobs", "--run", census, *database]) == 0
    assert capsys.readouterr().out.strip() == f"job {census}: done, counted in lot"
    broken = census.removesuffix(".census") + ".broken"
    assert main(["jobs", "--run", broken, *database]) == 1
    assert "failed, RuntimeError: the census office is closed" in capsys.readouterr().out


def test_administrators_see_the_jobs_and_their_last_runs(tmp_path: Path) -> None:
    with world(tmp_path) as w:
        admin, _ = signed_in_client(w, "admin")
        page = admin.get("/admin/jobs")
        assert page.status_code == 200
        assert "campagne.platform.purge" in page.text and "jamais" in page.text
        assert "/admin/jobs" in admin.get("/account/").text
        run_due(w.instance, registered_jobs(w.instance), worker="w1", now=MORNING)
        english = admin.get("/admin/jobs?lang=en").text
        assert "Dec 8, 2026, 3:30:00\u202fAM" in english and ">done<" in english
        staff, _ = signed_in_client(w, "staff_gers")
        assert staff.get("/admin/jobs").status_code == 403


def test_the_demo_does_not_purge_its_people_unless_told() -> None:
    from campagne.cli import demo_settings

    assert demo_settings(CampagneSettings()).job_schedules == {"campagne.platform.purge": "off"}
    told = CampagneSettings(job_schedules={"campagne.platform.purge": "0 4 * * *"})
    assert demo_settings(told).job_schedules == {"campagne.platform.purge": "0 4 * * *"}
