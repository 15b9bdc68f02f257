"""``campagne users`` and ``campagne purge``, and e-mail through a real local SMTP server."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from accounts_kit import EMAILS, PASSWORD, world
from fastapi.testclient import TestClient
from mail_kit import Inbox, deliver, smtp
from sqlmodel import Session, select

from campagne.auth.models import AuditEvent, UserAccount
from campagne.cli import main
from campagne.db import make_engine
from campagne.models import Consent, Member, MemberStatus
from campagne.regions import reference_region_paths
from campagne.retention import purge
from campagne.settings import CampagneSettings

__all__ = ["smtp"]  # the fixture, imported for the tests below


def demo_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding a demo database, as ``campagne demo`` leaves it."""
    with world(tmp_path / "build", f"sqlite:///{tmp_path / 'campagne-demo.db'}"):
        pass
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CAMPAGNE_DATABASE_URL", raising=False)
    return tmp_path


def test_create_staff_with_password_stdin_on_the_demo_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    demo_folder(tmp_path, monkeypatch)
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["users", "create", "New@Example.org", "--role", "staff",
                 "--region", "gers", "--password-stdin"]) == 0
    assert "Created staff account new@example.org" in capsys.readouterr().out
    assert main(["users", "list"]) == 0
    assert "new@example.org\tstaff\tactive" in capsys.readouterr().out


def test_the_name_staff_pages_show_is_set_from_the_command_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    demo_folder(tmp_path, monkeypatch)
    assert main(["users", "create", "claire@example.org", "--role", "staff", "--region",
                 "gers", "--invite", "--name", "Claire Conseil"]) == 0
    assert main(["users", "list"]) == 0
    assert "claire@example.org\tstaff\tactive\tClaire Conseil" in capsys.readouterr().out
    assert main(["users", "set-name", "claire@example.org", "  Claire   Dupuy "]) == 0
    assert "shown as Claire Dupuy" in capsys.readouterr().out
    assert main(["users", "set-name", "claire@example.org", ""]) == 0
    assert "shown as claire@example.org" in capsys.readouterr().out
    assert main(["users", "set-name", "claire@example.org", "x" * 121]) == 2
    assert "120 characters at most" in capsys.readouterr().err
    engine = make_engine(f"sqlite:///{tmp_path / 'campagne-demo.db'}")
    try:
        with Session(engine) as session:
            account = session.exec(select(UserAccount).where(
                UserAccount.email == "claire@example.org")).one()
            assert account.display_name is None
            renamed = session.exec(select(AuditEvent).where(
                AuditEvent.action == "account_renamed")).all()
            assert len(renamed) == 2
    finally:
        engine.dispose()


def test_bad_requests_exit_2_without_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    demo_folder(tmp_path, monkeypatch)
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "create", "x@example.org", "--role", "staff", "--region", "gers",
                 "--password-stdin"]) == 2
    assert main(["users", "create", "y@example.org", "--role", "staff", "--invite"]) == 2
    err = capsys.readouterr().err
    assert "at least 12 characters" in err and "--region" in err
    assert "Traceback" not in err


def test_invitation_by_email_then_password_then_sign_in(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp: Inbox) -> None:
    folder = demo_folder(tmp_path, monkeypatch)
    assert main(["users", "create", "invited@example.org", "--role", "staff",
                 "--region", "orne", "--invite", "--send"]) == 0
    assert smtp.messages == []  # queued in the outbox: the worker sends it
    assert main(["users", "create", "guest@example.org", "--role", "staff",
                 "--region", "orne", "--invite", "--send", "--lang", "en"]) == 0
    assert main(["worker", "--once"]) == 0
    french, english = smtp.messages
    assert french["Subject"] == "Campagne\u00a0: votre invitation"
    assert english["Subject"] == "Campagne: your invitation"
    assert "(the link is valid 48 hours)" in english.get_content()
    body = french.get_payload(decode=True).decode()
    assert "Choisissez votre mot de passe ici (le lien est valable 48\u00a0heures)" in body
    link = re.search(r"/account/set-password\?token=(\S+)", body)
    assert link and french["To"] == "invited@example.org"
    with world(folder / "again", f"sqlite:///{folder / 'campagne-demo.db'}",
               populated=True) as w:
        page = w.client.get(f"/account/set-password?token={link.group(1)}").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)
        assert csrf
        done = w.client.post("/account/set-password", follow_redirects=False, data={
            "csrf": csrf.group(1), "token": link.group(1), "password": "a brand new secret"})
        assert done.status_code == 303
        token = w.client.post("/api/v1/auth/token", data={
            "username": "invited@example.org", "password": "a brand new secret"})
        assert token.status_code == 200
        again = w.client.post("/account/set-password", data={
            "csrf": csrf.group(1), "token": link.group(1), "password": "another new secret"})
        assert again.status_code == 400  # a link works once


def test_password_reset_by_email(tmp_path: Path, smtp: Inbox) -> None:
    with world(tmp_path) as w:
        client = TestClient(w.client.app)
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/account/reset").text)
        assert csrf
        for email in ("admin@example.org", "nobody@example.org"):
            sent = client.post("/account/reset", data={"csrf": csrf.group(1), "email": email})
            assert sent.status_code == 200
        deliver(w.instance)
        assert len(smtp.messages) == 1 and smtp.messages[0]["To"] == "admin@example.org"
        for _ in range(6):
            client.post("/account/reset", data={"csrf": csrf.group(1),
                                                "email": "admin@example.org"})
        deliver(w.instance)
        assert len(smtp.messages) == 4  # five requests per address and window, one unknown


def test_purge_follows_the_retention_rules(tmp_path: Path) -> None:
    with world(tmp_path) as w, Session(w.instance.engine) as session:
        rows = session.exec(select(Member).order_by(Member.id).limit(4)).all()  # type: ignore[arg-type]
        today = dt.date(2030, 1, 1)
        old_prospect, new_prospect, declined, kept = rows
        old_prospect.status = MemberStatus.PROSPECT.value
        old_prospect.last_contact_at = today - dt.timedelta(days=3 * 365 + 1)
        new_prospect.status = MemberStatus.PROSPECT.value
        new_prospect.last_contact_at = today - dt.timedelta(days=300)
        for row in (declined, kept):
            row.status = MemberStatus.DECLINED.value
            row.updated_at = dt.datetime(2029, 6, 1, tzinfo=dt.UTC)
        session.add(Consent(member_id=kept.id or 0, purpose="keep_application"))
        session.add_all(rows)
        session.commit()
        listed = purge(session, w.instance, dry_run=True, today=today)
        mine = {row.id for row in rows}
        assert {i.member_id for i in listed} & mine == {old_prospect.id, declined.id}
        assert {i.rule for i in listed if i.member_id not in mine} <= {"left"}
        assert session.get(Member, declined.id).erased_at is None  # type: ignore[union-attr]
        purge(session, w.instance, dry_run=False, today=today)
        assert session.get(Member, declined.id).erased_at is not None  # type: ignore[union-attr]
        assert session.get(Member, kept.id).erased_at is None  # type: ignore[union-attr]
        assert purge(session, w.instance, dry_run=True, today=today) == []


def test_purge_command_dry_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    demo_folder(tmp_path, monkeypatch)
    assert main(["purge", "--dry-run", *map(str, reference_region_paths())]) == 0
    assert "would be anonymised" in capsys.readouterr().out


def test_purge_needs_the_region_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Without them the features could not erase what they hold: nothing is done."""
    demo_folder(tmp_path, monkeypatch)
    monkeypatch.delenv("CAMPAGNE_REGION_DIRS", raising=False)
    assert main(["purge"]) == 2
    assert "purge needs the region folders" in capsys.readouterr().err


def test_production_refuses_demo_and_missing_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    demo_folder(tmp_path, monkeypatch)
    monkeypatch.setenv("CAMPAGNE_PRODUCTION", "true")
    assert main(["demo", "--port", "1"]) == 2
    monkeypatch.delenv("CAMPAGNE_SECRET_KEY")
    regions = [str(p) for p in __import__("campagne.regions").regions.reference_region_paths()]
    assert main(["serve", *regions, "--db", f"sqlite:///{tmp_path / 'campagne-demo.db'}",
                 "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "CAMPAGNE_SECRET_KEY" in err and "demo" in err


def test_secret_key_generated_once_outside_production(tmp_path: Path) -> None:
    from campagne.auth.secret import secret_key

    settings = CampagneSettings(secret_key=None, secret_key_file=str(tmp_path / "k"))
    first = secret_key(settings)
    assert len(first) >= 48 and secret_key(settings) == first
    assert (tmp_path / "k").stat().st_mode & 0o077 == 0
    assert UserAccount  # the accounts table exists alongside the key


def test_set_password_and_deactivate_from_the_command_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = demo_folder(tmp_path, monkeypatch)
    monkeypatch.setattr("sys.stdin", io.StringIO("a fresh long password\n"))
    assert main(["users", "set-password", "admin@example.org"]) == 0
    with world(folder / "again", f"sqlite:///{folder / 'campagne-demo.db'}",
               populated=True) as w:
        token = w.client.post("/api/v1/auth/token", data={
            "username": "admin@example.org", "password": "a fresh long password"})
        assert token.status_code == 200
        assert main(["users", "deactivate", "admin@example.org"]) == 0
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        assert w.client.get("/api/v1/admin/audit", headers=headers).status_code == 401
    assert main(["users", "deactivate", "nobody@example.org"]) == 2
    capsys.readouterr()
    assert main(["users", "list"]) == 0
    assert "admin@example.org\tadmin\tblocked" in capsys.readouterr().out


def test_change_access_and_reactivate_from_the_command_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = demo_folder(tmp_path, monkeypatch)
    with world(folder / "again", f"sqlite:///{folder / 'campagne-demo.db'}",
               populated=True) as w:
        before = w.headers("staff_orne")
        assert w.client.get("/api/v1/regions/gers/members", headers=before).status_code == 403
        assert main(["users", "set-access", EMAILS["staff_orne"], "--region", "gers",
                     "--read-only"]) == 0
        assert "regions: orne -> gers" in capsys.readouterr().out
        # The old token ended with the change; a new one carries the new rights.
        assert w.client.get("/api/v1/regions/gers/members", headers=before).status_code == 401
        token = w.client.post("/api/v1/auth/token", data={
            "username": EMAILS["staff_orne"], "password": PASSWORD}).json()["access_token"]
        after = {"Authorization": f"Bearer {token}"}
        assert w.client.get("/api/v1/regions/gers/members", headers=after).status_code == 200
        assert w.client.get("/api/v1/regions/orne/members", headers=after).status_code == 403
        assert w.client.patch(f"/api/v1/regions/gers/members/{w.gers_member}", headers=after,
                              json={"version": 0}).status_code == 403  # read-only now
        assert main(["users", "set-access", EMAILS["staff_orne"], "--region", "gers",
                     "--read-only"]) == 0
        assert "Nothing to change" in capsys.readouterr().out
        assert main(["users", "set-access", EMAILS["member"], "--role", "admin"]) == 2
        assert main(["users", "set-access", EMAILS["staff_orne"], "--region", "nowhere"]) == 2
        assert "unknown region(s): nowhere" in capsys.readouterr().err
        assert main(["users", "deactivate", EMAILS["staff_orne"]]) == 0
        assert main(["users", "reactivate", EMAILS["staff_orne"]]) == 0
        assert w.client.post("/api/v1/auth/token", data={
            "username": EMAILS["staff_orne"], "password": PASSWORD}).status_code == 200
        with Session(w.instance.engine) as session:
            actions = [e.action for e in session.exec(select(AuditEvent))]
        assert actions.count("account_access_changed") == 1
        assert "account_reactivated" in actions
