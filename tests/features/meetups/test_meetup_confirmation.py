"""The meetup sign-up's confirmation page: the form's POST answers 303 to a GET page whose
address names the sign-up by an opaque secret (no name, no e-mail address), reloading it
signs nobody up again, it reads the sign-up's state afresh, and it offers the meetup as an
``.ics`` file that a calendar program reads."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from accounts_kit import world
from fastapi.testclient import TestClient
from httpx import Response
from icalendar import Calendar
from meetups_kit import new_event

GERS = "/api/v1/regions/gers/events"


def sign_up_as_a_guest(client: TestClient, page: str) -> Response:
    """Anne Essai signs up on the meetup's page through its form."""
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get(page).text)
    assert csrf
    return client.post(f"{page}/inscription", data={
        "csrf": csrf.group(1), "name": "Anne Essai", "email": "anne@example.org"})


def test_sign_up_leads_to_a_confirmation_page_with_the_calendar_file(
        tmp_path: Path, database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        event = new_event(w, capacity=1)
        client = TestClient(w.client.app, follow_redirects=False)
        page = f"/gers/rencontres/{event['id']}"
        answer = sign_up_as_a_guest(client, page)
        assert answer.status_code == 303
        location = answer.headers["location"]
        assert "anne" not in location.lower() and "essai" not in location.lower()
        assert urlsplit(location).path == f"{page}/inscription"
        assert re.fullmatch(r"\d+\.[0-9a-f]{40}", parse_qs(urlsplit(location).query)["r"][0])
        first, again = client.get(location), client.get(location)
        assert first.status_code == again.status_code == 200
        assert "Votre place est confirmée." in again.text
        assert w.client.get(f"{GERS}/{event['id']}").json()["places_left"] == 0
        assert first.headers["cache-control"] == "no-store"
        link = re.search(r'href="(/gers/events/\d+\.ics)"', first.text)
        assert link and "Ajouter à mon agenda" in first.text
        feed = client.get(link.group(1))
        assert feed.status_code == 200
        [meetup] = Calendar.from_ical(feed.content).walk("VEVENT")
        assert str(meetup.get("summary")) == "Apéro des indépendants"
        assert "anne" not in feed.text.lower()


def test_a_forged_or_foreign_secret_shows_only_a_thank_you(tmp_path: Path,
                                                           database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        first, other = new_event(w), new_event(w)
        client = TestClient(w.client.app, follow_redirects=False)
        page = f"/gers/rencontres/{first['id']}"
        answer = sign_up_as_a_guest(client, page)
        secret = parse_qs(urlsplit(answer.headers["location"]).query)["r"][0]
        foreign = client.get(f"/gers/rencontres/{other['id']}/inscription?r={secret}")
        flipped = secret[:-1] + ("1" if secret.endswith("0") else "0")
        forged = client.get(f"{page}/inscription?r={flipped}")
        bare = client.get(f"{page}/inscription")
        for shown in (foreign, forged, bare):
            assert shown.status_code == 200
            assert "Merci." in shown.text and "Ajouter à mon agenda" not in shown.text
