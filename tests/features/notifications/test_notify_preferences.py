"""The notifications page: each person sees the kinds that concern them, switches off the
optional ones and picks the language of their e-mails (CSRF-protected, audited); the
export shows the preferences and the e-mails the outbox holds, erasure forgets them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts_kit import EMAILS, World, world
from notifications_kit import page_sign_in as sign_in
from sqlmodel import Session, col, select

from campagne.auth.models import AuditEvent, UserAccount
from campagne.gdpr import erase_member
from campagne.models import Member
from campagne.notifications.models import NotificationOptOut
from campagne.outbox.queue import queue_mail


@pytest.fixture
def w(tmp_path: Path) -> Iterator[World]:
    """The reference regions with one account per role."""
    with world(tmp_path) as built:
        yield built


def account(w: World, role: str) -> UserAccount:
    """The account of ``role``, as stored now."""
    with Session(w.instance.engine) as session:
        return session.exec(select(UserAccount).where(UserAccount.email == EMAILS[role])).one()


def kinds_shown(html: str) -> list[str]:
    """The keys of the switches on the page."""
    return re.findall(r'name="on" value="([a-z_]+)"', html)


def test_each_person_sees_the_kinds_that_concern_them(w: World) -> None:
    sign_in(w, "member")
    page = w.client.get("/account/notifications")
    assert page.status_code == 200 and kinds_shown(page.text) == ["meetup_reminder"]
    assert "toujours envoyé" in page.text  # the desk booking's confirmation
    sign_in(w, "staff_gers")
    assert kinds_shown(w.client.get("/account/notifications").text) == [
        "new_inquiry", "followup_digest"]
    sign_in(w, "admin")
    assert kinds_shown(w.client.get("/account/notifications").text) == []
    assert 'href="/account/notifications"' in w.client.get("/account/").text


def test_saving_switches_off_what_is_unticked_and_sets_the_language(w: World) -> None:
    csrf = sign_in(w, "staff_gers")
    refused = w.client.post("/account/notifications", data={"on": ["followup_digest"]},
                            follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token
    saved = w.client.post("/account/notifications?lang=en", follow_redirects=False, data={
        "csrf": csrf, "on": ["followup_digest"]})
    assert saved.status_code == 303
    staff = account(w, "staff_gers")
    assert staff.language == "en"  # the page's language
    with Session(w.instance.engine) as session:
        assert session.exec(select(NotificationOptOut.kind).where(
            NotificationOptOut.user_id == staff.id)).all() == ["new_inquiry"]
        event = session.exec(select(AuditEvent).where(
            AuditEvent.action == "notification_preferences")).one()
    assert event.actor_id == staff.id and event.detail == {"off": ["new_inquiry"],
                                                           "language": "en"}
    w.client.post("/account/notifications", data={
        "csrf": csrf, "on": ["followup_digest", "new_inquiry"], "language": "fr"})
    assert account(w, "staff_gers").language == "fr"
    with Session(w.instance.engine) as session:
        assert session.exec(select(NotificationOptOut)).all() == []


def test_export_shows_preferences_and_emails_and_erasure_forgets(w: World) -> None:
    csrf = sign_in(w, "member")
    w.client.post("/account/notifications", data={"csrf": csrf, "language": "en"})
    member_account = account(w, "member")
    with Session(w.instance.engine) as session:
        queue_mail(session, w.instance.settings, kind="meetup_reminder", to=EMAILS["member"],
                   subject="Tomorrow: a meetup", body="secret link")
        session.commit()
    exported = w.client.get("/account/export").json()
    assert exported["notifications"] == [{"account": EMAILS["member"], "language": "en",
                                          "switched_off": ["meetup_reminder"]}]
    [mail] = [m for m in exported["emails"] if m["kind"] == "meetup_reminder"]
    assert mail["subject"] == "Tomorrow: a meetup" and mail["state"] == "queued"
    assert "body" not in mail and "secret link" not in str(exported)
    with Session(w.instance.engine) as session:
        member = session.get(Member, member_account.member_id)
        assert member is not None
        erase_member(session, member, w.instance)
        session.commit()
        assert session.exec(select(NotificationOptOut).where(
            col(NotificationOptOut.user_id) == member_account.id)).all() == []
