"""The staff's meetup pages: plan a meetup, change it (a stale form gets a notice), sign
someone up, cancel for them (the first waiting is promoted), mark attendance; read-only
staff see but cannot change; every view of the sign-ups is in the audit trail."""

from __future__ import annotations

import re
from pathlib import Path

from accounts_kit import EMAILS, world
from accounts_kit import sign_in_world as sign_in
from meetups_kit import in_days
from sqlmodel import Session, col, select

from campagne.auth.models import AuditEvent

GERS = "/api/v1/regions/gers/events"


def test_staff_plan_change_and_run_a_meetup_on_pages(tmp_path: Path, database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        csrf = sign_in(w, "staff_gers")
        fields = {"csrf": csrf, "title": "Atelier statut", "theme": "Micro ou société",
                  "description": "", "starts_at": in_days(9)[:16], "ends_at": in_days(9, 20)[:16],
                  "place": "CCI, Auch", "address": "", "capacity": "1"}
        bad = w.client.post("/gers/staff/meetups", data={**fields, "capacity": "0"})
        assert bad.status_code == 422 and "capacity" in bad.text
        created = w.client.post("/gers/staff/meetups", data=fields, follow_redirects=False)
        assert created.status_code == 303
        url = created.headers["location"]
        event_id = int(url.rsplit("/", 1)[1])
        event = w.client.get(f"{GERS}/{event_id}").json()
        assert event["starts_at"].startswith(in_days(9)[:16])

        for guest in ("Anne", "Bruno"):
            done = w.client.post(f"{url}/registrations", data={
                "csrf": csrf, "name": guest, "email": f"{guest.lower()}@example.org"},
                follow_redirects=False)
            assert done.headers["location"].endswith("notice=registered")
        refused = w.client.post(f"{url}/registrations", data={
            "csrf": csrf, "name": "Anne", "email": "anne@example.org"}, follow_redirects=False)
        assert refused.headers["location"].endswith("notice=refused")
        page = w.client.get(url).text
        assert "anne@example.org" in page and "Bruno" in page
        ids = [int(i) for i in re.findall(r'/registrations/(\d+)/cancel"', page)]
        assert len(ids) == 2

        stale = w.client.post(url, data={**fields, "version": "0", "title": "Autre"},
                              follow_redirects=False)
        assert stale.headers["location"].endswith("notice=conflict")
        edited = w.client.post(url, data={**fields, "version": str(event["version"]),
                                          "capacity": "2"}, follow_redirects=False)
        assert edited.headers["location"].endswith("notice=saved")
        after = w.client.get(f"{GERS}/{event_id}").json()
        assert (after["capacity"], after["places_left"], after["waiting"]) == (2, 0, 0)
        assert after["sequence"] == event["sequence"]  # only the capacity changed

        marked = w.client.post(f"{url}/attendance", data={
            "csrf": csrf, "mark": [f"{ids[0]}:yes", f"{ids[1]}:no"]}, follow_redirects=False)
        assert marked.headers["location"].endswith("notice=attendance")
        asked = w.client.post(f"{url}/registrations/{ids[1]}/cancel", data={"csrf": csrf})
        assert asked.status_code == 200 and "Bruno" in asked.text  # first, a page asks
        assert 'name="confirm" value="yes"' in asked.text
        assert w.client.get(f"{GERS}/{event_id}").json()["places_left"] == 0
        assert w.client.post(f"{url}/registrations/999999/cancel",
                             data={"csrf": csrf}).status_code == 404
        cancelled = w.client.post(f"{url}/registrations/{ids[1]}/cancel",
                                  data={"csrf": csrf, "confirm": "yes"}, follow_redirects=False)
        assert cancelled.status_code == 303
        assert w.client.get(f"{GERS}/{event_id}").json()["places_left"] == 1
        rows = w.client.get(f"{GERS}/{event_id}/registrations",
                            headers=w.headers("staff_gers")).json()
        assert [(r["status"], r["attended"]) for r in rows] == [("confirmed", True),
                                                                ("cancelled", False)]
        asked = w.client.post(f"{url}/cancel", data={"csrf": csrf,
                                                     "version": str(after["version"])})
        assert asked.status_code == 200 and 'name="confirm" value="yes"' in asked.text
        assert f'name="version" value="{after["version"]}"' in asked.text  # sent again
        assert w.client.get(f"{GERS}/{event_id}").json()["status"] != "cancelled"
        off = w.client.post(f"{url}/cancel", data={"csrf": csrf, "confirm": "yes",
                                                   "version": str(after["version"])},
                            follow_redirects=False)
        assert off.headers["location"].endswith("notice=saved")
        assert w.client.get(f"{GERS}/{event_id}").json()["status"] == "cancelled"

        reader = sign_in(w, "reader_gers")
        seen = w.client.get(url)
        assert seen.status_code == 200 and "anne@example.org" in seen.text
        assert 'name="mark"' not in seen.text and "/cancel" not in seen.text
        assert w.client.post(f"{url}/registrations", data={
            "csrf": reader, "name": "C", "email": "c@example.org"}).status_code == 403
        assert w.client.get("/gers/staff/meetups/new").status_code == 403
        sign_in(w, "staff_orne")
        assert w.client.get(url).status_code == 403
        assert w.client.get(f"/orne/staff/meetups/{event_id}").status_code == 404
        with Session(w.instance.engine) as session:
            views = session.exec(select(AuditEvent.actor_email).where(
                col(AuditEvent.target) == f"meetup:{event_id}:registrations")).all()
        assert EMAILS["staff_gers"] in views and EMAILS["reader_gers"] in views
