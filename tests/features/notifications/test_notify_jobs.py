"""The notifications of scheduled jobs, run with an explicit ``now`` and sent to a real SMTP
server: the advisers' morning digest and the meetups' reminders the day before; a second
run sends nothing, an opt-out is respected; and the desk booking's confirmation with its
``.ics``, the meetup confirmation's too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from accounts_kit import EMAILS, world
from mail_kit import deliver, smtp_server
from meetups_kit import new_event
from notifications_kit import STAFF, add_staff, lot_folder, switch_off
from sqlmodel import Session, select

from campagne.auth.models import UserAccount
from campagne.features.spaces.bookings import today
from campagne.i18n import format_day
from campagne.instance import Instance
from campagne.jobs.registry import registered_jobs
from campagne.jobs.runner import run_now
from campagne.models import Region
from campagne.operations.models import Inquiry
from campagne.testing import RegionKit

PARIS = ZoneInfo("Europe/Paris")
#: 7:00 in Paris on a winter day.
MORNING = dt.datetime(2026, 12, 8, 6, 0, tzinfo=dt.UTC)


def run_job(instance: Instance, name: str, now: dt.datetime) -> str | None:
    """Run the job named ``name`` at ``now``; its account of the run."""
    job = next(job for job in registered_jobs(instance) if job.name.endswith(f".{name}"))
    report = run_now(instance, job, worker="test", now=now)
    assert report.state == "done", report
    return report.outcome


def assign(instance: Instance, advisor: int, name: str, due: dt.date, stage: str = "new"
           ) -> None:
    """An inquiry of ``lot`` assigned to ``advisor`` with its next action due on ``due``."""
    with Session(instance.engine) as session:
        region = session.exec(select(Region).where(Region.slug == "lot")).one()
        assert region.id is not None
        session.add(Inquiry(region_id=region.id, first_name=name, last_name="Essai",
                            email=f"{name.lower()}@example.org", stage=stage,
                            advisor_id=advisor, next_action_on=due,
                            next_action="Rappeler pour la visite"))
        session.commit()


def test_the_digest_lists_what_is_due_once_a_day_in_each_language(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kit = RegionKit(tmp_path)
    with smtp_server(monkeypatch) as inbox:
        instance = kit.instance([lot_folder(kit)])
        ids = add_staff(instance)
        day = MORNING.astimezone(PARIS).date()
        assign(instance, ids["fr"], "Alix", day - dt.timedelta(days=3))
        assign(instance, ids["fr"], "Basile", day)
        assign(instance, ids["fr"], "Clotilde", day + dt.timedelta(days=1))  # not yet
        assign(instance, ids["fr"], "Denise", day, stage="not_pursued")  # closed
        assign(instance, ids["en"], "Emma", day)
        assert run_job(instance, "followup_digest", MORNING) == \
            "2 digest(s) queued for 2026-12-08"
        assert run_job(instance, "followup_digest", MORNING + dt.timedelta(hours=2)) == \
            "0 digest(s) queued for 2026-12-08"
        deliver(instance)
        [french], [english] = inbox.to(STAFF["fr"]), inbox.to(STAFF["en"])
        assert french["Subject"].replace("\u00a0", " ") == "Lot : 2 suivis à faire aujourd’hui"
        text = french.get_content()
        assert "Alix Essai, 5 décembre 2026: Rappeler pour la visite" in text
        assert "Basile Essai" in text and "Clotilde" not in text and "Denise" not in text
        assert english["Subject"] == "Lot: 1 follow-up due today"
        assert "December 8, 2026" in english.get_content()
        assert inbox.to(STAFF["reader"]) == []
        switch_off(instance, ids["en"], "followup_digest")
        assert run_job(instance, "followup_digest", MORNING + dt.timedelta(days=1)) == \
            "1 digest(s) queued for 2026-12-09"
        instance.engine.dispose()


def test_reminders_the_day_before_to_members_and_guests_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_server(monkeypatch) as inbox, world(tmp_path) as w:
        event = new_event(w, days=3)
        url = f"/api/v1/regions/gers/events/{event['id']}/registrations"
        assert w.client.post(url, json={}, headers=w.headers("member")).status_code == 201
        assert w.client.post(url, json={"guest_name": "Yves", "guest_email":
                                        "yves@example.org"}).status_code == 201
        deliver(w.instance)
        confirmation = inbox.to("yves@example.org")[0]
        [ics] = [part for part in confirmation.iter_attachments()]
        assert ics.get_content_type() == "text/calendar"
        assert "SUMMARY:Apéro des indépendants" in ics.get_content()
        inbox.messages.clear()
        with Session(w.instance.engine) as session:
            member = session.exec(select(UserAccount).where(
                UserAccount.email == EMAILS["member"])).one()
            member.language = "en"
            session.add(member)
            session.commit()
        start = dt.datetime.fromisoformat(event["starts_at"]).astimezone(PARIS)
        eve = dt.datetime.combine(start.date() - dt.timedelta(days=1), dt.time(10), PARIS)
        assert run_job(w.instance, "meetup_reminder", eve - dt.timedelta(days=1)).startswith(
            "0 reminder(s)")
        assert run_job(w.instance, "meetup_reminder", eve).startswith("2 reminder(s)")
        assert run_job(w.instance, "meetup_reminder", eve + dt.timedelta(hours=1)).startswith(
            "0 reminder(s)")
        deliver(w.instance)
        guest = inbox.to("yves@example.org")
        assert len(guest) == 1 and guest[0]["Subject"].startswith("Demain")
        assert "/gers/rencontres/annulation?token=" in guest[0].get_content()
        members = [m for m in inbox.messages if m["To"] != "yves@example.org"]
        assert [m["Subject"] for m in members] == ["Tomorrow: Apéro des indépendants"]
        assert "/account/notifications" in members[0].get_content()


def test_a_member_who_switched_reminders_off_gets_none(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_server(monkeypatch), world(tmp_path) as w:
        event = new_event(w, days=3)
        url = f"/api/v1/regions/gers/events/{event['id']}/registrations"
        assert w.client.post(url, json={}, headers=w.headers("member")).status_code == 201
        with Session(w.instance.engine) as session:
            account = session.exec(select(UserAccount).where(
                UserAccount.email == EMAILS["member"])).one()
            assert account.id is not None
        switch_off(w.instance, account.id, "meetup_reminder")
        start = dt.datetime.fromisoformat(event["starts_at"]).astimezone(PARIS)
        eve = dt.datetime.combine(start.date() - dt.timedelta(days=1), dt.time(10), PARIS)
        assert run_job(w.instance, "meetup_reminder", eve).startswith("0 reminder(s)")


def test_a_desk_booked_for_a_member_is_confirmed_with_its_ics(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_server(monkeypatch) as inbox, world(tmp_path) as w:
        api = "/api/v1/regions/gers/spaces"
        space = w.client.post(api, headers=w.headers("staff_gers"), json={
            "name": "Bureau du journal", "commune": "Auch", "seats": 1}).json()["id"]
        day = today() + dt.timedelta(days=2)
        booked = w.client.post(f"{api}/{space}/bookings", headers=w.headers("member"),
                               json={"day": day.isoformat(), "slot": "morning"})
        assert booked.status_code == 201, booked.text
        deliver(w.instance)
        [mail] = [m for m in inbox.messages if m["Subject"].startswith("Votre poste")]
        text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert f"Bureau du journal le {format_day(day, locale='fr')} (Matin)" in text
        [ics] = list(mail.iter_attachments())
        content = ics.get_content()
        assert f"DTSTART;VALUE=DATE:{day.strftime('%Y%m%d')}" in content
        assert "Bureau du journal" in content
