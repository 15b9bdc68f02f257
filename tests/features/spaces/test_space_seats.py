"""A space's seats cannot be cut below the seats booked on a half day to come: the API and the
staff page answer 409 naming the half days and their counts; past days and cancelled
bookings do not count."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from accounts_kit import World, world
from accounts_kit import sign_in_world as sign_in
from sqlmodel import Session

from campagne.features.spaces.models import Booking, Space
from campagne.features.spaces.records import overbooked, region_id
from campagne.models import utc_now

API = "/api/v1/regions/gers/spaces"
FAR = dt.date(2999, 1, 4)  # far in the future: always a day to come
PAST = dt.date(2001, 1, 3)


def space_with_bookings(w: World) -> int:
    """A Gers space of 3 seats: on FAR, 3 seats in the morning and 2 in the afternoon; on
    FAR + 1, 1 seat; on a past day 3 whole days; on FAR + 2, 3 cancelled whole days."""
    with Session(w.instance.engine) as session:
        space = Space(region_id=region_id(session, "gers"), name="Bureau", commune="Auch",
                      seats=3)
        session.add(space)
        session.flush()
        assert space.id is not None
        plan: list[tuple[dt.date, str, bool]] = [
            (FAR, "day", False), (FAR, "day", False), (FAR, "morning", False),
            (FAR + dt.timedelta(days=1), "afternoon", False),
            *[(PAST, "day", False)] * 3, *[(FAR + dt.timedelta(days=2), "day", True)] * 3]
        session.add_all(Booking(space_id=space.id, day=day, slot=slot,
                                guest_name=f"Invité {n}",
                                cancelled_at=utc_now() if cancelled else None)
                        for n, (day, slot, cancelled) in enumerate(plan))
        session.commit()
        return space.id


def patch(w: World, space_id: int, **fields: Any) -> Any:
    """Change the space through the API as the Gers staff (English answers)."""
    version = w.client.get(f"{API}/{space_id}").json()["version"]
    return w.client.patch(f"{API}/{space_id}", json={"version": version, **fields},
                          headers={**w.headers("staff_gers"), "Accept-Language": "en"})


def test_seats_stay_at_or_above_the_bookings_to_come(tmp_path: Path, database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        space = space_with_bookings(w)
        refused = patch(w, space, seats=2, name="Bureau renommé")
        assert refused.status_code == 409
        detail = refused.json()["detail"]
        assert detail.startswith("seats: ") and "2999-01-04 morning (3)" in detail
        assert "at least 3 seats" in detail
        assert "2999-01-05" not in detail and "2001-" not in detail and "2999-01-06" not in detail
        one = patch(w, space, seats=1).json()["detail"]
        assert "2999-01-04 morning (3), 2999-01-04 afternoon (2)" in one
        kept = w.client.get(f"{API}/{space}").json()
        assert (kept["seats"], kept["name"], kept["version"]) == (3, "Bureau", 1)
        assert patch(w, space, seats=3, name="Bureau renommé").status_code == 200
        # the staff page refuses as well, with the half days named
        csrf = sign_in(w, "staff_gers")
        page = w.client.post(f"/gers/staff/spaces/{space}", data={
            "csrf": csrf, "version": "2", "name": "Bureau", "commune": "Auch", "seats": "2"},
            headers={"Accept-Language": "en"}, follow_redirects=False)
        assert page.status_code == 409 and "2999-01-04 morning (3)" in page.text
        assert w.client.get(f"{API}/{space}").json()["seats"] == 3


def test_the_half_days_counted_start_on_the_day_given(tmp_path: Path,
                                                      database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        space = space_with_bookings(w)
        with Session(w.instance.engine) as session:
            assert overbooked(session, space, 2) == [(FAR, "morning", 3)]
            assert overbooked(session, space, 1) == [(FAR, "morning", 3),
                                                     (FAR, "afternoon", 2)]
            assert overbooked(session, space, 2, first=PAST) == [
                (PAST, "morning", 3), (PAST, "afternoon", 3), (FAR, "morning", 3)]
            assert overbooked(session, space, 1, first=FAR + dt.timedelta(days=1)) == []
