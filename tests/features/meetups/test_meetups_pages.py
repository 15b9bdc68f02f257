"""Meetup pages and calendar feeds: the public listing in both languages, a meetup's page
(places left, never a name), a cancelled meetup, the feeds parsed back with icalendar, and
the guest form's trap for robots."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

from accounts_kit import World, world
from icalendar import Calendar
from meetups_kit import in_days, new_event

from campagne.i18n import format_wait

GERS = "/api/v1/regions/gers/events"


def _guest(w: World, event_id: int, n: int) -> int:
    answer = w.client.post(f"{GERS}/{event_id}/registrations", headers=w.headers("staff_gers"),
                           json={"guest_name": f"Zéphyrine Quidam{n}",
                                 "guest_email": f"zq{n}@example.org"})
    assert answer.status_code == 201
    registration_id: int = answer.json()["id"]
    return registration_id


def test_listing_and_meetup_page_show_places_never_names(tmp_path: Path,
                                                         database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        event = new_event(w, capacity=2)
        _guest(w, event["id"], 1)
        for path in ("/gers/rencontres", "/gers/meetups?lang=en"):
            page = w.client.get(path)
            assert page.status_code == 200 and "Apéro des indépendants" in page.text
            assert "Quidam" not in page.text
        french = w.client.get("/gers/rencontres?lang=fr").text
        assert "1 place restante" in french and 'href="/gers/rencontres"' in french
        english = w.client.get(f"/gers/meetups/{event['id']}?lang=en").text
        assert "1 place left" in english and 'href="/gers/meetups"' in english
        assert "Quidam" not in english and "zq1@" not in english
        assert w.client.get("/gers/rencontres/999999").status_code == 404
        orne = w.client.get(f"/orne/rencontres/{event['id']}")
        assert orne.status_code == 404


def test_a_cancelled_meetup_is_shown_as_such(tmp_path: Path, database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        event = new_event(w, capacity=2)
        w.client.patch(f"{GERS}/{event['id']}", headers=w.headers("staff_gers"),
                       json={"version": event["version"], "cancelled": True})
        page = w.client.get(f"/gers/rencontres/{event['id']}?lang=fr").text
        assert "Cette rencontre est annulée." in page and 'name="email"' not in page
        assert "Annulée" in w.client.get("/gers/rencontres?lang=fr").text


def test_calendar_feeds_parse_back(tmp_path: Path, database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        first = new_event(w, capacity=3, days=5)
        second = new_event(w, capacity=3, days=40, title="Financer son projet")
        _guest(w, first["id"], 1)
        feed = w.client.get("/gers/events.ics")
        assert feed.status_code == 200
        assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
        assert "Quidam" not in feed.text and "zq1@" not in feed.text
        parsed = Calendar.from_ical(feed.content)
        events = {str(e["UID"]): e for e in parsed.walk("VEVENT")
                  if not str(e["UID"]).startswith("demo-")}  # the demo's own meetups
        assert set(events) == {first["uid"], second["uid"]}
        one = events[first["uid"]]
        assert str(one["SUMMARY"]) == "Apéro des indépendants"
        start = one.decoded("DTSTART")
        assert start.tzinfo is not None and str(start.tzinfo) == "Europe/Paris"
        assert start.hour == 18 and start.minute == 30
        assert int(one["SEQUENCE"]) == 0 and str(one["STATUS"]) == "CONFIRMED"
        assert [str(t["TZID"]) for t in parsed.walk("VTIMEZONE")] == ["Europe/Paris"]

        moved = w.client.patch(f"{GERS}/{first['id']}", headers=w.headers("staff_gers"),
                               json={"version": first["version"], "place": "Mairie de Condom"})
        w.client.patch(f"{GERS}/{first['id']}", headers=w.headers("staff_gers"),
                       json={"version": moved.json()["version"], "cancelled": True})
        single = w.client.get(f"/gers/events/{first['id']}.ics")
        assert single.headers["content-type"] == "text/calendar; charset=utf-8"
        [again] = Calendar.from_ical(single.content).walk("VEVENT")
        assert str(again["UID"]) == first["uid"]
        assert int(again["SEQUENCE"]) == 2 and str(again["STATUS"]) == "CANCELLED"
        assert "Mairie de Condom" in str(again["LOCATION"])
        assert w.client.get("/gers/events/999999.ics").status_code == 404
        assert w.client.get(f"/orne/events/{first['id']}.ics").status_code == 404
        orne = Calendar.from_ical(w.client.get("/orne/events.ics").content)
        assert all(str(e["UID"]).startswith("demo-orne-") for e in orne.walk("VEVENT"))


def test_past_meetups_of_the_last_three_months_stay_in_the_feed(tmp_path: Path,
                                                                database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        past = new_event(w, days=20)
        old = new_event(w, days=21)
        headers = w.headers("staff_gers")
        for event, days in ((past, -30), (old, -120)):
            w.client.patch(f"{GERS}/{event['id']}", headers=headers, json={
                "version": event["version"], "starts_at": in_days(days),
                "ends_at": in_days(days, 21)})
        uids = {str(e["UID"]) for e in Calendar.from_ical(
            w.client.get("/gers/events.ics").content).walk("VEVENT")
            if not str(e["UID"]).startswith("demo-")}
        assert uids == {past["uid"]}
        listing = w.client.get("/gers/rencontres?lang=en").text
        assert "Recent meetups" in listing
        late = w.client.post(f"{GERS}/{past['id']}/registrations", json={
            "guest_name": "A", "guest_email": "a@example.org"})
        assert late.status_code == 409


def _form(w: World, path: str) -> str:
    page = w.client.get(path)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def test_guest_form_on_the_page_with_its_trap_for_robots(tmp_path: Path,
                                                         database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        event = new_event(w, capacity=1)
        page = f"/gers/rencontres/{event['id']}"
        csrf = _form(w, page)
        action = f"{page}/inscription"
        assert w.client.post(action, data={"name": "A", "email": "a@example.org"}
                             ).status_code == 403  # no form token
        robot = w.client.post(action, data={"csrf": csrf, "name": "Bot",
                                            "email": "bot@example.org", "website": "x"})
        assert robot.status_code == 200
        assert w.client.get(f"{GERS}/{event['id']}").json()["places_left"] == 1
        bad = w.client.post(action, data={"csrf": csrf, "name": "A", "email": "nope"})
        assert bad.status_code == 422 and 'role="alert"' in bad.text
        first = w.client.post(action, data={"csrf": csrf, "name": "Anne",
                                            "email": "anne@example.org"})
        assert first.status_code == 200 and 'id="sign-up-result"' in first.text
        second = w.client.post(f"/gers/meetups/{event['id']}/sign-up?lang=en", data={
            "csrf": csrf, "name": "Bruno", "email": "bruno@example.org"})
        assert "number 1 on the waiting list" in second.text
        twice = w.client.post(action, data={"csrf": csrf, "name": "Anne",
                                            "email": "anne@example.org"})
        assert twice.status_code == 409


def test_too_many_guest_sign_ups_say_which_limit_and_how_long(tmp_path: Path,
                                                              database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        event = new_event(w, capacity=50)
        page = f"/gers/rencontres/{event['id']}"
        csrf = _form(w, page)
        for n in range(5):
            assert w.client.post(f"{page}/inscription", data={
                "csrf": csrf, "name": f"P{n}", "email": f"p{n}@example.org"}).status_code == 200
        refused = w.client.post(f"{page}/inscription", data={
            "csrf": csrf, "name": "P5", "email": "p5@example.org"})
        assert refused.status_code == 429 and refused.headers["content-type"].startswith(
            "text/html")
        wait = int(refused.headers["Retry-After"])
        assert ("Cette adresse électronique ou votre connexion a atteint la limite de "
                "5 inscriptions "
                "d’invités en 15 minutes. Vous pourrez vous inscrire de nouveau dans "
                f"{format_wait(wait, locale='fr')}.") in html.unescape(refused.text)


def test_a_signed_in_member_signs_up_in_one_click(tmp_path: Path, database_url: str) -> None:
    from accounts_kit import EMAILS, PASSWORD

    with world(tmp_path, database_url) as w:
        event = new_event(w, capacity=4)
        csrf = _form(w, "/account/sign-in")
        signed = w.client.post("/account/sign-in", data={
            "csrf": csrf, "email": EMAILS["member"], "password": PASSWORD},
            follow_redirects=False)
        assert signed.status_code == 303
        page = w.client.get(f"/gers/rencontres/{event['id']}?lang=en")
        assert "one click is enough" in page.text and 'name="email"' not in page.text
        assert page.headers["cache-control"] == "no-store"
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        done = w.client.post(f"/gers/rencontres/{event['id']}/inscription?lang=en",
                             data={"csrf": csrf.group(1)})
        assert done.status_code == 200 and "Your place is confirmed." in done.text
        mine = w.client.get("/account/meetups?lang=en")
        assert mine.status_code == 200 and "Apéro des indépendants" in mine.text
        registration = re.search(r'action="/account/meetups/(\d+)/cancel"', mine.text)
        assert registration
        cancelled = w.client.post(f"/account/meetups/{registration.group(1)}/cancel",
                                  data={"csrf": csrf.group(1)}, follow_redirects=False)
        assert cancelled.status_code == 303
        assert w.client.get(f"{GERS}/{event['id']}").json()["places_left"] == 4
        assert dt.datetime.now(dt.UTC)  # the member page lists the cancelled sign-up too
        assert "Cancelled" in w.client.get("/account/meetups?lang=en").text
