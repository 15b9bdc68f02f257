"""Meetups through the API, on SQLite and PostgreSQL: places, the waiting list and its
promotions, e-mail received over real SMTP, guests' cancellation links, staff edits with
version checks, attendance, a member's own sign-ups and the audit trail."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from accounts_kit import World, world
from meetups_kit import Inbox, deliver, in_days, new_event
from meetups_kit import smtp as smtp
from sqlmodel import Session, col, select

from campagne.auth.models import AuditEvent
from campagne.features.meetups.mail import cancel_token
from campagne.i18n import format_wait

GERS = "/api/v1/regions/gers/events"


def sign_up(w: World, event_id: int, body: dict[str, Any], role: str = "staff_gers") -> Any:
    """POST a sign-up as ``role``."""
    return w.client.post(f"{GERS}/{event_id}/registrations", json=body,
                         headers=w.headers(role))


def guest(n: int) -> dict[str, str]:
    """A guest's name and address."""
    return {"guest_name": f"Invitée {n}", "guest_email": f"invitee-{n}@example.org"}


def test_ten_places_fifteen_sign_ups_and_a_cancellation_promotes_the_first_waiting(
        tmp_path: Path, database_url: str, smtp: Inbox) -> None:
    with world(tmp_path, database_url) as w:
        event = new_event(w, capacity=10)
        assert event["places_left"] == 10 and event["status"] == "open"
        results = [sign_up(w, event["id"], guest(n)) for n in range(1, 16)]
        assert [r.status_code for r in results] == [201] * 15
        answers = [r.json() for r in results]
        assert [a["status"] for a in answers] == ["confirmed"] * 10 + ["waitlisted"] * 5
        assert [a["position"] for a in answers[10:]] == [1, 2, 3, 4, 5]
        assert all(a["position"] is None for a in answers[:10])
        detail = w.client.get(f"{GERS}/{event['id']}").json()
        assert (detail["places_left"], detail["waiting"], detail["status"]) == (0, 5, "full")

        third = answers[2]["id"]
        cancelled = w.client.post(f"{GERS}/{event['id']}/registrations/{third}/cancel",
                                  headers=w.headers("staff_gers"))
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        rows = w.client.get(f"{GERS}/{event['id']}/registrations",
                            headers=w.headers("staff_gers")).json()
        by_id = {row["id"]: row for row in rows}
        first_waiting = answers[10]["id"]
        assert by_id[first_waiting]["status"] == "confirmed"
        assert by_id[first_waiting]["promoted_at"] is not None
        assert [by_id[a["id"]]["position"] for a in answers[11:]] == [1, 2, 3, 4]
        assert sum(row["status"] == "confirmed" for row in rows) == 10
        detail = w.client.get(f"{GERS}/{event['id']}").json()
        assert (detail["places_left"], detail["waiting"]) == (0, 4)

        deliver(w.instance)
        assert len(smtp.messages) == 17  # 15 sign-ups, 1 cancellation, 1 promotion
        promoted = smtp.to("invitee-11@example.org")
        assert len(promoted) == 2
        assert "liste d'attente\u00a0: 1." in smtp.body(promoted[0])  # French by default
        assert promoted[1]["Subject"] == "Une place vous attend à Apéro des indépendants"
        assert "/gers/rencontres/annulation?token=" in smtp.body(promoted[1])
        assert len(smtp.to("invitee-3@example.org")) == 2


def test_the_same_person_cannot_hold_two_live_sign_ups(tmp_path: Path,
                                                       database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        event = new_event(w, capacity=2)
        assert sign_up(w, event["id"], guest(1)).status_code == 201
        again = sign_up(w, event["id"], {**guest(1), "guest_email": "INVITEE-1@example.org "})
        assert again.status_code in (409, 422)
        assert sign_up(w, event["id"], {**guest(1), "guest_name": "Autre"}).status_code == 409
        mine = sign_up(w, event["id"], {}, role="member")
        assert mine.status_code == 201 and mine.json()["status"] == "confirmed"
        assert sign_up(w, event["id"], {}, role="member").status_code == 409
        on_behalf = sign_up(w, event["id"], {"member_id": w.gers_member})
        assert on_behalf.status_code == 409  # the same member, signed up by staff
        # Once cancelled, the person may sign up again (and goes to the end of the queue).
        own = w.client.post(f"{GERS}/{event['id']}/registrations/{mine.json()['id']}/cancel",
                            headers=w.headers("member"))
        assert own.status_code == 200 and own.json()["status"] == "cancelled"
        assert sign_up(w, event["id"], {}, role="member").json()["status"] == "confirmed"


def test_who_may_sign_whom_up(tmp_path: Path, database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        event = new_event(w, capacity=5)
        url = f"{GERS}/{event['id']}/registrations"
        assert w.client.post(url, json={}).status_code == 422  # a guest must give name, e-mail
        guest_without_email = w.client.post(url, json={"guest_name": "Camille"})
        assert guest_without_email.status_code == 422
        assert "guest_email" in guest_without_email.json()["errors"][0]["message"]
        other = {"member_id": w.gers_member + 1}
        assert w.client.post(url, json=other).status_code == 401
        assert sign_up(w, event["id"], other, role="member").status_code == 403
        assert sign_up(w, event["id"], other, role="reader_gers").status_code == 403
        assert sign_up(w, event["id"], other, role="staff_orne").status_code == 403
        orne = {"member_id": w.orne_member}
        answer = sign_up(w, event["id"], orne)
        assert answer.status_code == 422 and "member_id" in answer.text
        assert sign_up(w, event["id"], other).status_code == 201
        assert sign_up(w, event["id"], guest(7), role="admin").status_code == 201
        bad = w.client.post(url, json={"guest_name": "X", "guest_email": "not-an-address"})
        assert bad.status_code == 422 and "guest_email" in bad.text
        # Another region's meetup id through this region: unknown.
        orne_event = new_event(w, slug="orne", role="staff_orne")
        assert w.client.get(f"{GERS}/{orne_event['id']}").status_code == 404
        assert sign_up(w, orne_event["id"], guest(8)).status_code == 404


def test_guest_sign_ups_are_rate_limited_per_address(tmp_path: Path,
                                                     database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        event = new_event(w, capacity=50)
        url = f"{GERS}/{event['id']}/registrations"
        answers = [w.client.post(url, json=guest(n), headers={"Accept-Language": "en"})
                   for n in range(7)]
        assert [answer.status_code for answer in answers] == [201] * 5 + [429] * 2
        refused = answers[-1]
        wait = int(refused.headers["Retry-After"])
        assert 0 < wait <= 15 * 60
        assert refused.json()["detail"] == (
            "This e-mail address or your connection has reached the limit of 5 guest sign-ups "
            f"in 15 minutes. You may sign up again in {format_wait(wait, locale='en')}.")


def test_guest_cancels_with_the_link_received(tmp_path: Path, database_url: str,
                                              smtp: Inbox) -> None:
    with world(tmp_path, database_url) as w:
        event = new_event(w, capacity=1)
        first = w.client.post(f"{GERS}/{event['id']}/registrations", json=guest(1)).json()
        second = w.client.post(f"{GERS}/{event['id']}/registrations", json=guest(2)).json()
        assert (first["status"], second["status"]) == ("confirmed", "waitlisted")
        deliver(w.instance)
        link = re.search(r"https?://\S+/gers/rencontres/annulation\?token=(\S+)",
                         smtp.body(smtp.to("invitee-1@example.org")[0]))
        assert link
        token = link.group(1)
        page = w.client.get(f"/gers/rencontres/annulation?token={token}")
        assert page.status_code == 200 and "Apéro des indépendants" in page.text
        assert page.headers["cache-control"] == "no-store"
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        done = w.client.post("/gers/rencontres/annulation",
                             data={"csrf": csrf.group(1), "token": token})
        assert done.status_code == 200
        deliver(w.instance)
        assert smtp.to("invitee-2@example.org")[-1]["Subject"].startswith(
            ("Une place", "A place"))
        # The link is used up: it only says the sign-up is cancelled.
        again = w.client.post("/gers/rencontres/annulation",
                              data={"csrf": csrf.group(1), "token": token})
        assert again.status_code == 200 and len(smtp.messages) == 4
        forged = cancel_token(w.instance.settings, second["id"])[:-2] + "00"
        assert w.client.get(f"/gers/rencontres/annulation?token={forged}").status_code == 400
        detail = w.client.get(f"{GERS}/{event['id']}").json()
        assert (detail["places_left"], detail["waiting"]) == (0, 0)


def test_staff_edits_check_the_version_and_raise_the_sequence(
        tmp_path: Path, database_url: str, smtp: Inbox) -> None:
    with world(tmp_path, database_url) as w:
        event = new_event(w, capacity=1)
        url = f"{GERS}/{event['id']}"
        for n in (1, 2, 3):
            sign_up(w, event["id"], guest(n))
        headers = w.headers("staff_gers")
        stale = w.client.patch(url, json={"version": event["version"] + 1, "capacity": 3},
                               headers=headers)
        assert stale.status_code == 409, stale.text
        raised = w.client.patch(url, json={"version": event["version"], "capacity": 2},
                                headers=headers)
        assert raised.status_code == 200, raised.text
        changed = raised.json()
        assert (changed["places_left"], changed["waiting"]) == (0, 1)
        assert changed["version"] == event["version"] + 1
        assert changed["sequence"] == event["sequence"]  # capacity is not in the calendar
        assert w.client.patch(url, json={"version": event["version"], "title": "Autre"},
                              headers=headers).status_code == 409
        lower = w.client.patch(url, json={"version": changed["version"], "capacity": 1},
                               headers=headers)
        assert lower.status_code == 422 and "capacity" in lower.text
        moved = w.client.patch(url, json={"version": changed["version"],
                                          "starts_at": in_days(11), "ends_at": in_days(11, 20)},
                               headers=headers).json()
        assert moved["sequence"] == event["sequence"] + 1
        assert moved["starts_at"].startswith(in_days(11)[:16])
        assert moved["starts_at"][-6:] in ("+01:00", "+02:00")
        assert w.client.patch(url, json={"version": moved["version"], "ends_at": in_days(1)},
                              headers=headers).status_code == 422
        assert w.client.patch(url, json={"version": moved["version"], "capacity": 5},
                              headers=w.headers("reader_gers")).status_code == 403
        off = w.client.patch(url, json={"version": moved["version"], "cancelled": True},
                             headers=headers).json()
        assert off["status"] == "cancelled" and off["sequence"] == moved["sequence"] + 1
        assert sign_up(w, event["id"], guest(9)).status_code == 409
        deliver(w.instance)
        notices = [m for m in smtp.messages if m["Subject"].startswith(("Annul", "Cancel"))]
        assert len(notices) == 3  # everyone still signed up or waiting is told
        with Session(w.instance.engine) as session:
            actions = session.exec(select(AuditEvent.action).where(
                col(AuditEvent.target) == f"meetup:{event['id']}")).all()
        assert actions.count("update") == 3 and "create" in actions


def test_attendance_is_marked_by_staff_and_counted(tmp_path: Path, database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        event = new_event(w, capacity=2)
        ids = [sign_up(w, event["id"], guest(n)).json()["id"] for n in range(3)]
        url = f"{GERS}/{event['id']}/attendance"
        body = {"marks": [{"registration_id": ids[0], "attended": True},
                          {"registration_id": ids[1], "attended": False}]}
        assert w.client.put(url, json=body, headers=w.headers("reader_gers")).status_code == 403
        marked = w.client.put(url, json=body, headers=w.headers("staff_gers"))
        assert marked.status_code == 200
        assert marked.json() == {"confirmed": 2, "attended": 1, "absent": 1, "unknown": 0,
                                 "changed": [ids[0], ids[1]]}
        waiting = {"marks": [{"registration_id": ids[2], "attended": True}]}
        refused = w.client.put(url, json=waiting, headers=w.headers("staff_gers"))
        assert refused.status_code == 422 and "marks" in refused.text
        public = w.client.get(f"{GERS}/{event['id']}").text
        assert "attended" not in public and "invitee" not in public.lower()


def test_a_member_lists_and_cancels_their_own_sign_ups(tmp_path: Path,
                                                       database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        event = new_event(w, capacity=1)
        sign_up(w, event["id"], guest(1))
        mine = sign_up(w, event["id"], {}, role="member").json()
        assert mine["status"] == "waitlisted" and mine["position"] == 1
        listed = w.client.get("/api/v1/me/registrations", headers=w.headers("member")).json()
        assert [(r["id"], r["status"], r["position"]) for r in listed
                if r["event_id"] == event["id"]] == [
            (mine["id"], "waitlisted", 1)]
        someone = sign_up(w, event["id"], guest(2)).json()
        refused = w.client.post(f"{GERS}/{event['id']}/registrations/{someone['id']}/cancel",
                                headers=w.headers("member"))
        assert refused.status_code == 404
        assert w.client.get(f"{GERS}/{event['id']}/registrations",
                            headers=w.headers("member")).status_code == 403
