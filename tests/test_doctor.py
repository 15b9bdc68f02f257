"""``campagne doctor``: a healthy instance (SQLite, a real SMTP server, a fresh backup, its
jobs run) exits 0; each problem is found, named and given its fix; PostgreSQL reachable or
not; ``--json`` parses; no traceback and no secret is ever printed. Time is given as
``now``: old rows and old backups are written with explicit dates."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from mail_kit import free_port, smtp_server
from sqlmodel import Session, select

from campagne.app import create_app
from campagne.backup.run import make_backup
from campagne.cli import build_parser
from campagne.db import alembic_config, make_engine, upgrade
from campagne.doctor import cli as doctor_cli
from campagne.doctor.disk import MB, Usage, space_finding
from campagne.doctor.finding import Status
from campagne.instance import Instance
from campagne.jobs.models import JobRun
from campagne.jobs.registry import registered_jobs
from campagne.jobs.runner import run_due, run_now
from campagne.outbox.models import MailState
from campagne.outbox.queue import queue_mail
from campagne.settings import CampagneSettings
from campagne.testing import RegionKit, served

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
STRONG_KEY = "Xq7vN2pR9tLm4KwZ8sBc3HdYf6GjUe1A-oTnV_5iQ0rE"
PUBLIC = "https://campagne.example.org"
CENSUS = '''
from campagne.toolkit import JobContext, ScheduledJob, hookimpl


def count(context: JobContext) -> str:
    return "counted"


def broken(context: JobContext) -> str:
    raise RuntimeError("the census office is closed")


@hookimpl
def scheduled_jobs():
    return [ScheduledJob("census", "0 7 * * *", count, description="Count"),
            ScheduledJob("broken", "every 3600s", broken)]
'''
Findings = dict[str, list[dict[str, str]]]


@dataclass
class Deployment:
    """A running-like instance: its folder, database, backup folder and instance."""

    instance: Instance
    folder: Path
    backups: Path
    settings: CampagneSettings

    def doctor(self, *extra: str, now: dt.datetime = NOW) -> tuple[int, str]:
        """Run ``campagne doctor --json`` with the region folder; exit status and output."""
        return run_doctor("--json", "--backups", str(self.backups), str(self.folder), *extra,
                          now=now)


def run_doctor(*argv: str, now: dt.datetime = NOW) -> tuple[int, str]:
    """Run the command (as ``campagne doctor ARGV``); its exit status and standard output."""
    out = io.StringIO()
    args = build_parser().parse_args(["doctor", *argv])
    with contextlib.redirect_stdout(out):
        status = doctor_cli.run(args, now=now)
    return status, out.getvalue()


def by_check(output: str) -> Findings:
    """The ``--json`` findings grouped by check."""
    report = json.loads(output)
    grouped: Findings = {}
    for finding in report["findings"]:
        grouped.setdefault(finding["check"], []).append(finding)
    return grouped


def statuses(output: str) -> dict[str, set[str]]:
    """Each check's statuses."""
    return {check: {f["status"] for f in found} for check, found in by_check(output).items()}


@pytest.fixture
def healthy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Deployment]:
    """A production-mode SQLite instance whose jobs ran at NOW, with a backup made an hour
    before and a mail server listening."""
    monkeypatch.chdir(tmp_path)
    # The checks ask servers of this test process; a busy machine may answer them slowly.
    monkeypatch.setattr("campagne.doctor.smtp.TIMEOUT", 60)
    monkeypatch.setattr("campagne.doctor.public_url.TIMEOUT", 60)
    for name in [name for name in os.environ if name.startswith("CAMPAGNE_")]:
        if name not in ("CAMPAGNE_TEST_POSTGRES_URL", "CAMPAGNE_CHROMIUM"):
            monkeypatch.delenv(name)
    kit = RegionKit(tmp_path / "instance")
    settings = {"CAMPAGNE_DATABASE_URL": kit.database_url, "CAMPAGNE_PRODUCTION": "true",
                "CAMPAGNE_SECRET_KEY": STRONG_KEY, "CAMPAGNE_PUBLIC_URL": PUBLIC,
                "CAMPAGNE_LOAD_ENTRY_POINTS": "false",
                "CAMPAGNE_JOB_SCHEDULES": '{"lot.census.broken": "off"}'}
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    folder = kit.region("lot", plugins={"census.py": CENSUS})
    instance = kit.instance([folder])
    run_due(instance, registered_jobs(instance), worker="test", now=NOW)
    backups = tmp_path / "backups"
    backups.mkdir()
    make_backup(CampagneSettings(), backups / "nightly.tar.gz",
                now=NOW - dt.timedelta(hours=1))
    with smtp_server(monkeypatch):
        try:
            yield Deployment(instance, folder, backups, CampagneSettings())
        finally:
            instance.engine.dispose()


def test_a_healthy_instance_exits_0(healthy: Deployment) -> None:
    status, output = healthy.doctor()
    found = statuses(output)
    # The disk is the machine's: only its own line may differ on a nearly full one.
    disk_ok = found.pop("disk") == {"OK"}
    assert all(states == {"OK"} for states in found.values()), output
    assert {"regions", "database", "schema", "secret key", "password hashing", "production",
            "public url", "smtp", "outbox", "jobs", "backup"} <= set(found)
    assert status == (0 if disk_ok else 1)
    assert json.loads(output)["ok"] is (status == 0)


def test_text_report_names_each_check_and_ends_with_a_summary(healthy: Deployment) -> None:
    status, output = run_doctor("--backups", str(healthy.backups), str(healthy.folder))
    lines = output.strip().splitlines()
    assert lines[0].startswith("OK    regions: 1 region folder(s) valid: lot")
    assert lines[-1] == "All is well." if status == 0 else lines[-1].endswith("problem(s) found.")


def test_pending_migration_is_named_with_its_fix(healthy: Deployment, tmp_path: Path) -> None:
    behind = make_engine(f"sqlite:///{tmp_path / 'behind.db'}")
    head = ScriptDirectory.from_config(alembic_config(behind)).get_current_head()
    previous = ScriptDirectory.from_config(alembic_config(behind)).get_revision(head)
    upgrade(behind, str(previous.down_revision))
    behind.dispose()
    status, output = healthy.doctor("--db", f"sqlite:///{tmp_path / 'behind.db'}")
    [schema] = by_check(output)["schema"]
    assert status == 1 and schema["status"] == "FAIL"
    assert "migrations are pending" in schema["message"]
    assert schema["fix"].startswith(f"run campagne db upgrade {healthy.folder}")


def test_missing_sqlite_file_is_not_created(healthy: Deployment, tmp_path: Path) -> None:
    status, output = healthy.doctor("--db", f"sqlite:///{tmp_path / 'nowhere.db'}")
    [database] = by_check(output)["database"]
    assert status == 1 and database["status"] == "FAIL" and "does not exist" in database["message"]
    assert not (tmp_path / "nowhere.db").exists()
    assert "schema" not in by_check(output)  # nothing to read it from


def test_weak_key_is_named_with_its_fix(healthy: Deployment,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    weak = "abcdefghabcdefghabcdefghabcdefghabcdefgh"
    monkeypatch.setenv("CAMPAGNE_SECRET_KEY", weak)
    status, output = healthy.doctor()
    [key] = by_check(output)["secret key"]
    assert status == 1 and key["status"] == "FAIL"
    assert key["message"] == "CAMPAGNE_SECRET_KEY repeats a pattern"
    assert "secrets.token_urlsafe" in key["fix"]
    assert by_check(output)["production"][0]["status"] == "FAIL"
    assert weak not in output  # a secret is never shown, even a weak one


def test_key_file_readable_by_others(healthy: Deployment, monkeypatch: pytest.MonkeyPatch,
                                     tmp_path: Path) -> None:
    key_file = tmp_path / "campagne-secret.key"
    key_file.write_text(STRONG_KEY, encoding="ascii")
    key_file.chmod(0o644)
    monkeypatch.delenv("CAMPAGNE_SECRET_KEY")
    monkeypatch.setenv("CAMPAGNE_PRODUCTION", "false")
    monkeypatch.setenv("CAMPAGNE_SECRET_KEY_FILE", str(key_file))
    _, output = healthy.doctor()
    [key] = by_check(output)["secret key"]
    assert key["status"] == "FAIL" and "mode 0644" in key["message"]
    assert key["fix"] == f"run chmod 600 {key_file}"
    key_file.chmod(0o600)
    assert by_check(healthy.doctor()[1])["secret key"][0]["status"] == "OK"


def test_weak_hashing_fails_in_production(healthy: Deployment,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAGNE_ARGON2_MEMORY_KIB", "8")
    monkeypatch.setenv("CAMPAGNE_ARGON2_TIME_COST", "1")
    [hashing] = by_check(healthy.doctor()[1])["password hashing"]
    assert hashing["status"] == "FAIL" and "below OWASP's minimum" in hashing["message"]


def test_smtp_refused_is_named(healthy: Deployment, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setenv("CAMPAGNE_SMTP_PORT", str(port))
    status, output = healthy.doctor()
    [smtp] = by_check(output)["smtp"]
    assert status == 1 and smtp["status"] == "FAIL"
    assert smtp["message"] == f"cannot reach the mail server at 127.0.0.1:{port}: " \
                              "connection refused"
    assert "CAMPAGNE_SMTP_HOST" in smtp["fix"]


def test_failed_job_is_named_with_the_command_to_run_it_again(
        healthy: Deployment, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAGNE_JOB_SCHEDULES", "{}")
    instance = healthy.instance
    [broken] = [job for job in registered_jobs(instance) if job.name == "lot.census.broken"]
    run_now(instance, broken, worker="test", now=NOW)
    status, output = healthy.doctor()
    [job] = by_check(output)["jobs"]
    assert status == 1 and job["status"] == "FAIL"
    assert "lot.census.broken" in job["message"] and "the census office is closed" in job["message"]
    assert job["fix"].endswith(f"campagne jobs --run lot.census.broken {healthy.folder}")


def test_a_job_without_run_for_two_periods_is_named(healthy: Deployment) -> None:
    status, output = healthy.doctor(now=NOW + dt.timedelta(days=2, hours=1))
    late = [f for f in by_check(output)["jobs"] if "lot.census.census" in f["message"]]
    assert status == 1 and [f["status"] for f in late] == ["WARN"]
    assert "more than two periods ago" in late[0]["message"]
    one_period_later = by_check(healthy.doctor(now=NOW + dt.timedelta(days=1))[1])["jobs"]
    assert [f["status"] for f in one_period_later] == ["OK"]


def test_a_job_never_run_is_named(healthy: Deployment) -> None:
    with Session(healthy.instance.engine) as session:
        for run in session.exec(select(JobRun).where(JobRun.job == "lot.census.census")):
            session.delete(run)
        session.commit()
    [job] = by_check(healthy.doctor()[1])["jobs"]
    assert job["status"] == "WARN" and job["message"] == "job lot.census.census has never run"


def _mail(healthy: Deployment, state: MailState, due: dt.datetime) -> None:
    with Session(healthy.instance.engine) as session:
        mail = queue_mail(session, healthy.settings, kind="test", to="ada@example.org",
                          subject="Bonjour", body="Bonjour")
        assert mail is not None
        mail.state, mail.created_at, mail.next_attempt_at = state.value, due, due
        session.commit()


def test_an_old_queued_mail_means_no_worker(healthy: Deployment) -> None:
    _mail(healthy, MailState.QUEUED, NOW - dt.timedelta(minutes=10))
    assert by_check(healthy.doctor()[1])["outbox"][0]["status"] == "OK"
    _mail(healthy, MailState.QUEUED, NOW - dt.timedelta(hours=3))
    status, output = healthy.doctor()
    [outbox] = by_check(output)["outbox"]
    assert status == 1 and outbox["status"] == "WARN"
    assert "waited since 2026-03-10 06:00 UTC (3 h): no worker sends" in outbox["message"]
    assert outbox["fix"].startswith("start campagne worker")


def test_failed_mails_are_counted(healthy: Deployment) -> None:
    _mail(healthy, MailState.FAILED, NOW - dt.timedelta(days=1))
    [outbox] = by_check(healthy.doctor()[1])["outbox"]
    assert outbox["status"] == "WARN" and outbox["message"].startswith("1 e-mail(s) failed")


@pytest.mark.parametrize(("age", "expected"), [(dt.timedelta(hours=25), "OK"),
                                               (dt.timedelta(hours=30), "WARN"),
                                               (dt.timedelta(days=9), "FAIL")])
def test_backup_age(healthy: Deployment, tmp_path: Path, age: dt.timedelta,
                    expected: str) -> None:
    folder = tmp_path / "older"
    folder.mkdir()
    make_backup(healthy.settings, folder / "made.tar.gz", now=NOW - age)
    (folder / "zz-damaged.tar.gz").write_bytes(b"not an archive")
    status, output = run_doctor("--json", "--backups", str(folder), str(healthy.folder))
    [backup] = by_check(output)["backup"]
    assert backup["status"] == expected, backup
    assert "made.tar.gz" in backup["message"]
    if expected != "OK":
        assert status == 1 and "campagne backup" in backup["fix"]


def test_no_backup(healthy: Deployment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                   ) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("CAMPAGNE_BACKUP_DIR", str(empty))
    status, output = run_doctor("--json", str(healthy.folder))
    [backup] = by_check(output)["backup"]
    assert status == 1 and backup["status"] == "FAIL"
    assert backup["message"] == f"no readable backup in {empty}"
    monkeypatch.delenv("CAMPAGNE_BACKUP_DIR")
    [unset] = by_check(run_doctor("--json", str(healthy.folder))[1])["backup"]
    assert unset["status"] == "WARN" and "CAMPAGNE_BACKUP_DIR" in unset["fix"]


def test_unreadable_region_folder(healthy: Deployment, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "region.yaml").write_text("slug: [unclosed\n", encoding="utf-8")
    status, output = run_doctor("--json", str(broken), str(tmp_path / "missing"))
    [regions] = by_check(output)["regions"]
    assert status == 1 and regions["status"] == "FAIL"
    assert "region.yaml" in regions["message"] and "missing" in regions["message"]
    assert regions["fix"] == f"correct them, then run campagne check {broken} " \
                             f"{tmp_path / 'missing'}"


def test_a_check_that_breaks_is_one_line_not_a_traceback(
        healthy: Deployment, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CAMPAGNE_SECRET_KEY")
    monkeypatch.setenv("CAMPAGNE_PRODUCTION", "false")
    monkeypatch.setenv("CAMPAGNE_SECRET_KEY_FILE", str(tmp_path))  # a folder, not a file
    status, output = run_doctor(str(healthy.folder))
    assert status == 1 and "Traceback" not in output
    assert "FAIL  secret key: the check could not run: IsADirectoryError" in output
    assert "smtp: the mail server at" in output  # the checks after it still ran


def test_bad_setting_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAGNE_SMTP_PORT", "twenty-five")
    status, output = run_doctor("--json")
    [finding] = json.loads(output)["findings"]
    assert status == 1 and finding["check"] == "settings"
    assert finding["message"].startswith("CAMPAGNE_SMTP_PORT: ")


def test_database_reachable_on_each_backend(healthy: Deployment, database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    engine.dispose()
    found = by_check(healthy.doctor("--db", database_url)[1])
    assert found["database"][0]["status"] == "OK"
    assert [f["status"] for f in found["schema"]] == ["OK"]


def test_postgresql_unreachable_is_named_without_its_password(healthy: Deployment) -> None:
    url = f"postgresql://campagne:s3cret-pass@127.0.0.1:{free_port()}/campagne"
    status, output = run_doctor("--db", url, str(healthy.folder))
    assert status == 1 and "Traceback" not in output
    assert "s3cret-pass" not in output
    assert "FAIL  database: the database postgresql://campagne:***@127.0.0.1:" in output
    assert "does not answer" in output


def test_json_output_for_monitoring(healthy: Deployment) -> None:
    report = json.loads(healthy.doctor()[1])
    assert set(report) == {"ok", "findings"}
    for finding in report["findings"]:
        assert set(finding) == {"check", "status", "message", "fix"}
        assert finding["status"] in {status.value for status in Status}
        assert bool(finding["fix"]) is (finding["status"] != "OK")


def test_proxy_health_and_declared_tls(healthy: Deployment,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    workers = healthy.instance.settings.model_copy(
        update={"public_url": "http://127.0.0.1:8000", "production": False})
    with served(create_app(replace(healthy.instance, settings=workers))) as url:
        found = by_check(healthy.doctor("--url", url)[1])
        # The web workers' public URL is plain HTTP, this command's declares TLS.
        assert [f["status"] for f in found["proxy"]] == ["OK", "WARN"]
        assert "sends no HSTS" in found["proxy"][1]["message"]
        monkeypatch.setenv("CAMPAGNE_PRODUCTION", "false")
        monkeypatch.setenv("CAMPAGNE_PUBLIC_URL", url)
        found = by_check(healthy.doctor("--url")[1])
        assert [f["status"] for f in found["proxy"]] == ["OK"]
        assert found["public url"][0]["status"] == "WARN"  # plain HTTP
    gone = by_check(healthy.doctor("--url", f"http://127.0.0.1:{free_port()}")[1])
    assert gone["proxy"][0]["status"] == "FAIL"


def test_public_url_in_production(healthy: Deployment, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAGNE_PUBLIC_URL", "http://campagne.example.org")
    [public] = by_check(healthy.doctor()[1])["public url"]
    assert public["status"] == "FAIL" and "plain HTTP in production" in public["message"]
    monkeypatch.delenv("CAMPAGNE_PUBLIC_URL")
    [unset] = by_check(healthy.doctor()[1])["public url"]
    assert unset["status"] == "FAIL" and "is not set" in unset["message"]


@pytest.mark.parametrize(("free", "total", "expected"), [
    (50 * MB, 100_000 * MB, Status.FAIL), (900 * MB, 2_000 * MB, Status.WARN),
    (5_000 * MB, 100_000 * MB, Status.WARN), (20_000 * MB, 100_000 * MB, Status.OK)])
def test_disk_space_thresholds(free: int, total: int, expected: Status) -> None:
    finding = space_finding("the database x.db", Usage(total, total - free, free))
    assert finding.status is expected
    assert finding.message.endswith("where the database x.db lives")

