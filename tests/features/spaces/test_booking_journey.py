"""A desk booking from end to end, on both backends: opening days refuse a day the space
is closed (page and API), the seats table shows closed days and books a free cell, the
booking form leads to a confirmation page (a GET: reloading it books nothing) with the
booking as an ``.ics`` file, which only its member can fetch."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from accounts_kit import World, sign_in, world
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlmodel import Session, select

from campagne.features.spaces.bookings import today
from campagne.features.spaces.models import Booking

API = "/api/v1/regions/gers/spaces"


@pytest.fixture
def w(tmp_path: Path, database_url: str) -> Iterator[World]:
    """The reference regions with demo data and one account per role, on each backend."""
    with world(tmp_path, database_url) as built:
        yield built


def next_weekday(iso_weekday: int, after: int = 1) -> dt.date:
    """The first day from ``after`` days on that falls on ``iso_weekday`` (7: Sunday)."""
    day = today() + dt.timedelta(days=after)
    return day + dt.timedelta(days=(iso_weekday - day.isoweekday()) % 7)


def working_week_space(w: World, **fields: Any) -> int:
    """A space open Monday to Friday, added through the API."""
    answer = w.client.post(API, headers=w.headers("staff_gers"), json={
        "name": "Bureau de semaine", "commune": "Auch", "seats": 2, "opening_days": "12345",
        **fields})
    assert answer.status_code == 201, answer.text
    assert answer.json()["opening_days"] == "12345"
    space_id: int = answer.json()["id"]
    return space_id


def test_a_sunday_is_refused_at_a_monday_to_friday_space(w: World) -> None:
    space = working_week_space(w)
    sunday, monday = next_weekday(7).isoformat(), next_weekday(1).isoformat()
    refused = w.client.post(f"{API}/{space}/bookings", headers=w.headers("member"),
                            json={"day": sunday, "slot": "morning"})
    assert refused.status_code == 422
    assert "closed on that day" in refused.json()["detail"]
    accepted = w.client.post(f"{API}/{space}/bookings", headers=w.headers("member"),
                             json={"day": monday, "slot": "morning"})
    assert accepted.status_code == 201, accepted.text
    client = TestClient(w.client.app, follow_redirects=False)
    csrf = sign_in(client, "member")
    page = client.post("/account/bookings", data={
        "csrf": csrf, "space_id": space, "day": sunday, "slot": "day"})
    assert page.status_code == 303
    assert page.headers["location"] == f"/gers/espaces/{space}?error=closed_day#book"
    shown = client.get(page.headers["location"]).text
    assert "Cet espace est fermé ce jour de la semaine" in shown
    with Session(w.instance.engine) as session:
        days = {b.day for b in session.exec(select(Booking).where(Booking.space_id == space))}
    assert days == {dt.date.fromisoformat(monday)}


def test_wrong_opening_days_are_refused(w: World) -> None:
    for days in ("", "21", "8", "1123", "lun"):
        answer = w.client.post(API, headers=w.headers("staff_gers"), json={
            "name": "Bureau", "commune": "Auch", "seats": 1, "opening_days": days})
        assert answer.status_code == 422, days


def test_the_table_shows_closed_days_and_books_a_free_cell(w: World) -> None:
    space = working_week_space(w, seats=1)
    client = TestClient(w.client.app, follow_redirects=False)
    csrf = sign_in(client, "member")
    page = client.get(f"/gers/espaces/{space}").text
    sunday = next_weekday(7, after=0)
    assert page.count('class="closed"') == 4  # two Saturdays and two Sundays
    assert f'value="{sunday.isoformat()} morning"' not in page
    tuesday = next_weekday(2)
    assert 'aria-label="Réserver le ' + _french(tuesday) + ', matin (1 poste libre)"' in page
    answer = client.post("/account/bookings", data={
        "csrf": csrf, "space_id": space, "cell": f"{tuesday.isoformat()} morning"})
    assert answer.status_code == 303
    confirmation = answer.headers["location"]
    assert re.fullmatch(r"/account/bookings/\d+", confirmation)
    again = client.get(f"/gers/espaces/{space}").text
    assert f'value="{tuesday.isoformat()} morning"' not in again  # taken: no button
    assert f'value="{tuesday.isoformat()} afternoon"' in again
    for cell in ("demain matin", f"{tuesday.isoformat()} evening", "2026-13-40 day"):
        wrong = client.post("/account/bookings", data={
            "csrf": csrf, "space_id": space, "cell": cell})
        assert wrong.headers["location"].endswith("?error=choice#book"), cell


def _french(day: dt.date) -> str:
    from campagne.i18n import format_day
    return format_day(day, "EEEE d MMMM", locale="fr")


def test_confirmation_page_and_calendar_file_are_the_member_s_own(w: World) -> None:
    space = working_week_space(w)
    client = TestClient(w.client.app, follow_redirects=False)
    csrf = sign_in(client, "member")
    monday = next_weekday(1)
    answer = client.post("/account/bookings", data={
        "csrf": csrf, "space_id": space, "day": monday.isoformat(), "slot": "afternoon"})
    confirmation = answer.headers["location"]
    first, second = client.get(confirmation), client.get(confirmation)
    assert first.status_code == second.status_code == 200
    assert "Votre poste est réservé" in first.text and "Bureau de semaine" in first.text
    with Session(w.instance.engine) as session:
        count = len(session.exec(select(Booking).where(Booking.space_id == space)).all())
    assert count == 1  # reloading the confirmation books nothing
    link = re.search(r'href="(/account/bookings/\d+/booking\.ics)"', first.text)
    assert link and "Ajouter à mon agenda" in first.text
    ics = client.get(link.group(1))
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert ics.headers["cache-control"] == "no-store"  # a signed-in answer: never cached
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == monday
    assert "Bureau de semaine" in str(event.get("summary"))
    assert "@" not in str(event.get("summary")) and "ATTENDEE" not in ics.text
    other = TestClient(w.client.app, follow_redirects=False)
    sign_in(other, "staff_gers")
    assert other.get(confirmation).status_code == 404
    assert other.get(link.group(1)).status_code == 404
    anonymous = TestClient(w.client.app, follow_redirects=False)
    assert anonymous.get(link.group(1)).status_code == 303  # to the sign-in form
