"""The mail outbox seen from the requests, on SQLite and PostgreSQL: with the mail server
down, an inquiry, a meetup sign-up and a password reset are accepted and their e-mails wait;
when it is back, each arrives once. The reset answers the same for a known and an unknown
account. Administrators read the e-mails at /admin/outbox, a region's staff the state of
theirs; each view is audited."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest
from accounts_kit import World, signed_in_client, world
from mail_kit import deliver, free_port, smtp_server
from meetups_kit import new_event
from sqlmodel import Session, col, select

from campagne.auth.models import AuditEvent
from campagne.models import Member, utc_now
from campagne.outbox.models import OutboxMail
from campagne.outbox.queue import queue_mail

INQUIRY = {"first_name": "Noé", "last_name": "Martin", "email": "noe@example.org",
           "consent": True}


def outbox(w: World) -> list[OutboxMail]:
    """The e-mails of the world's outbox, in order."""
    with Session(w.instance.engine) as session:
        return list(session.exec(select(OutboxMail).order_by(col(OutboxMail.id))).all())


def reset(w: World, email: str) -> tuple[int, str]:
    """Ask for a reset link for ``email`` from a new browser; the answer without its token."""
    client = type(w.client)(w.client.app)
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/account/reset").text)
    assert found
    answer = client.post("/account/reset", data={"csrf": found.group(1), "email": email})
    return answer.status_code, answer.text.replace(found.group(1), "TOKEN")


def test_with_the_mail_server_down_nothing_is_lost_and_each_mail_goes_once(
        tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()  # nobody listens there yet
    monkeypatch.setenv("CAMPAGNE_SMTP_PORT", str(port))
    with world(tmp_path, database_url) as w:
        inquiry = w.client.post("/api/v1/regions/gers/inquiries", json=INQUIRY)
        assert inquiry.status_code == 201, inquiry.text
        event = new_event(w)
        signed_up = w.client.post(f"/api/v1/regions/gers/events/{event['id']}/registrations",
                                  json={"guest_name": "Invitée",
                                        "guest_email": "guest@example.org"})
        assert signed_up.status_code == 201, signed_up.text
        assert reset(w, "staff-gers@example.org")[0] == 200
        waiting = outbox(w)
        assert deliver(w.instance).retried == len(waiting)
        waiting = outbox(w)
        people = [(m.kind, m.recipient) for m in waiting if m.kind != "new_inquiry"]
        assert people == [("inquiry_acknowledgement", "noe@example.org"),
                          ("meetup_confirmed", "guest@example.org"),
                          ("password_reset", "staff-gers@example.org")]
        advisers = sorted(m.recipient for m in waiting if m.kind == "new_inquiry")
        assert "staff-gers@example.org" in advisers  # told of the inquiry, in the same change
        assert {(m.state, m.attempts) for m in waiting} == {("queued", 1)}
        assert all("example.org" not in (m.last_error or "") for m in waiting)
        with smtp_server(monkeypatch, port) as inbox:
            later = utc_now() + dt.timedelta(minutes=2)
            assert deliver(w.instance, now=later).sent == len(waiting)
            assert deliver(w.instance, now=later + dt.timedelta(hours=2)).sent == 0
        assert Counter(m["To"] for m in inbox.messages) == Counter(
            ["noe@example.org", "guest@example.org", "staff-gers@example.org", *advisers])
        assert {m["Message-ID"] for m in inbox.messages} == {m.message_id for m in waiting}
        assert {m.state for m in outbox(w)} == {"sent"}


def test_the_reset_answers_the_same_for_a_known_and_an_unknown_account(
        tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAGNE_SMTP_PORT", str(free_port()))  # the mail server is down
    with world(tmp_path, database_url) as w:
        known = reset(w, "admin@example.org")
        unknown = reset(w, "nobody@example.org")
        assert known == unknown and known[0] == 200
        [mail] = outbox(w)
        assert (mail.kind, mail.recipient, mail.state) == (
            "password_reset", "admin@example.org", "queued")


def test_administrators_read_the_mails_and_staff_see_their_regions_state(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAGNE_SMTP_PORT", str(free_port()))
    with world(tmp_path) as w:
        assert w.client.post("/api/v1/regions/gers/inquiries", json=INQUIRY).status_code == 201
        assert w.client.post("/api/v1/regions/orne/inquiries",
                             json={**INQUIRY, "email": "orne@example.org"}).status_code == 201
        admin, _ = signed_in_client(w, "admin")
        page = admin.get("/admin/outbox")
        assert page.status_code == 200
        assert "noe@example.org" in page.text and "Bonjour Noé," in page.text
        assert "orne@example.org" in page.text and "inquiry_acknowledgement" in page.text
        assert "noe@example.org" not in admin.get("/admin/outbox?state=sent").text
        assert "noe@example.org" in admin.get("/admin/outbox?state=queued").text
        assert "/admin/outbox" in admin.get("/account/").text
        assert reset(w, "staff-orne@example.org")[0] == 200
        reset_link = admin.get("/admin/outbox").text
        assert "set-password?token=…" in reset_link and "set-password?token=" in reset_link
        assert not re.search(r"set-password\?token=[^…]", reset_link)  # the secret stays out

        staff, _ = signed_in_client(w, "staff_gers")
        assert staff.get("/admin/outbox").status_code == 403
        mine = staff.get("/gers/staff/outbox")
        assert mine.status_code == 200 and "inquiry_acknowledgement" in mine.text
        assert "gers" in mine.text and "orne" not in mine.text.split("<table", 1)[1]
        assert "noe@example.org" not in mine.text and "Bonjour" not in mine.text
        assert staff.get("/orne/staff/outbox").status_code == 403
        with Session(w.instance.engine) as session:
            seen = session.exec(select(AuditEvent).where(
                AuditEvent.target == "outbox").order_by(col(AuditEvent.id))).all()
        assert [(e.actor_email, e.action, e.region_slug) for e in seen] == [
            ("admin@example.org", "list", None)] * 4 + [
            ("staff-gers@example.org", "list", "gers")]


def test_erasing_a_member_deletes_the_mails_to_their_address(tmp_path: Path) -> None:
    with world(tmp_path) as w:
        with Session(w.instance.engine) as session:
            member = session.get(Member, w.gers_member)
            assert member is not None and member.email
            for to in (member.email.upper(), "someone-else@example.org"):
                queue_mail(session, w.instance.settings, kind="test", to=to, subject="Bonjour",
                           body="Bonjour\n", region_slug="gers")
            session.commit()
        erased = w.client.post(f"/api/v1/regions/gers/members/{w.gers_member}/erase",
                               headers=w.headers("staff_gers"))
        assert erased.status_code in (200, 204), erased.text
        assert [m.recipient for m in outbox(w)] == ["someone-else@example.org"]


def test_an_administrator_sends_a_failed_mail_again_unless_its_link_was_masked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()  # the mail server comes back there after the failures
    monkeypatch.setenv("CAMPAGNE_SMTP_PORT", str(port))
    with world(tmp_path) as w:
        with Session(w.instance.engine) as session:
            plain = queue_mail(session, w.instance.settings, kind="test", to="a@example.org",
                               subject="Bonjour", body="Bonjour\n", region_slug="gers")
            linked = queue_mail(session, w.instance.settings, kind="password_reset",
                                to="b@example.org", subject="Lien",
                                body="https://x.example/account/set-password?token=…\n")
            assert plain is not None and linked is not None
            for mail in (plain, linked):
                mail.state, mail.attempts, mail.last_error = "failed", 8, "SMTPRecipientsRefused"
            session.commit()
            plain_id, linked_id = plain.id, linked.id
        admin, _ = signed_in_client(w, "admin")
        page = admin.get("/admin/outbox?state=failed").text
        assert page.count("Renvoyer") == 1 and "Son lien a été masqué" in page
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)
        assert csrf
        again = admin.post(f"/admin/outbox/{plain_id}/retry", data={"csrf": csrf.group(1)},
                           follow_redirects=False)
        assert again.status_code == 303
        assert admin.post(f"/admin/outbox/{linked_id}/retry",
                          data={"csrf": csrf.group(1)}).status_code == 404
        assert admin.post(f"/admin/outbox/{plain_id}/retry",
                          data={"csrf": "forged"}).status_code == 403
        with smtp_server(monkeypatch, port) as inbox:
            assert deliver(w.instance).sent == 1
        assert [m["To"] for m in inbox.messages] == ["a@example.org"]
        with Session(w.instance.engine) as session:
            [event] = session.exec(select(AuditEvent).where(
                AuditEvent.action == "outbox_retry")).all()
            assert event.target == f"outbox:{plain_id}" and event.region_slug == "gers"
