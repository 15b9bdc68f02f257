"""Once a meetup has started, its sign-ups are history: no cancellation, by the member (API
or account page), by a guest's link or by the staff (API or page); each gets a 409 with a
message, and the sign-ups stay as they were. The rule itself, with the clock given."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from accounts_kit import World, world
from accounts_kit import sign_in_world as sign_in
from sqlmodel import Session, select

from campagne.features.meetups.mail import cancel_token
from campagne.features.meetups.models import Meetup, Registration
from campagne.features.meetups.rules import (
    CONFIRMED,
    CancellationClosed,
    cancel_registration,
    region_id_of,
)
from campagne.web.sessions import PRE_CSRF

GERS = "/api/v1/regions/gers/events"
STARTS = dt.datetime(2001, 3, 8, 17, 30, tzinfo=dt.UTC)  # far in the past


def past_meetup(w: World) -> tuple[int, dict[str, int]]:
    """A Gers meetup of 2001 with the account member, two guests and one more member
    confirmed; returns its id and the sign-ups' ids by name."""
    with Session(w.instance.engine) as session:
        meetup = Meetup(region_id=region_id_of(session, "gers"), uid="past@test.invalid",
                        title="Rencontre passée", starts_at=STARTS,
                        ends_at=STARTS + dt.timedelta(hours=2), place="Auch", capacity=10)
        session.add(meetup)
        session.flush()
        assert meetup.id is not None
        rows = {"member": Registration(meetup_id=meetup.id, member_id=w.gers_member,
                                       status=CONFIRMED),
                "guest": Registration(meetup_id=meetup.id, guest_name="Invitée",
                                      guest_email="invitee@example.org", status=CONFIRMED),
                "other": Registration(meetup_id=meetup.id, guest_name="Autre",
                                      guest_email="autre@example.org", status=CONFIRMED)}
        session.add_all(rows.values())
        session.commit()
        return meetup.id, {name: row.id or 0 for name, row in rows.items()}


def statuses(w: World, meetup_id: int) -> set[str]:
    """The statuses of a meetup's sign-ups."""
    with Session(w.instance.engine) as session:
        return set(session.exec(select(Registration.status).where(
            Registration.meetup_id == meetup_id)).all())


def test_no_cancellation_once_the_meetup_has_started(tmp_path: Path,
                                                     database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        event, ids = past_meetup(w)
        # API: the member themself, then the region's staff
        for role, name in (("member", "member"), ("staff_gers", "other")):
            answer = w.client.post(f"{GERS}/{event}/registrations/{ids[name]}/cancel",
                                   headers=w.headers(role))
            assert answer.status_code == 409, answer.text
            assert "started" in answer.json()["detail"]
        # the guest's link: the page says so, without a button; posting is refused
        token = cancel_token(w.instance.settings, ids["guest"])
        page = w.client.get(f"/gers/meetups/cancel?token={token}",
                            headers={"Accept-Language": "en"})
        assert page.status_code == 200
        assert "has started" in page.text and 'name="token"' not in page.text
        csrf = next(value for name, value in w.client.cookies.items()
                    if name.endswith(PRE_CSRF))  # the form's double-submit token
        refused = w.client.post("/gers/meetups/cancel", data={
            "csrf": csrf, "token": token}, headers={"Accept-Language": "en"})
        assert refused.status_code == 409 and "has started" in refused.text
        # the member's account page: no button, and a post is refused
        csrf_member = sign_in(w, "member")
        listed = w.client.get("/account/meetups")
        assert f"/account/meetups/{ids['member']}/cancel" not in listed.text
        mine = w.client.post(f"/account/meetups/{ids['member']}/cancel",
                             data={"csrf": csrf_member}, follow_redirects=False)
        assert mine.status_code == 409
        # the staff's page: no button, and a post is refused
        csrf_staff = sign_in(w, "staff_gers")
        detail = w.client.get(f"/gers/staff/meetups/{event}")
        assert f"/registrations/{ids['other']}/cancel" not in detail.text
        staff = w.client.post(f"/gers/staff/meetups/{event}/registrations/{ids['other']}/cancel",
                              data={"csrf": csrf_staff}, follow_redirects=False)
        assert staff.status_code == 409
        assert statuses(w, event) == {CONFIRMED}


def test_the_rule_follows_the_clock_given(tmp_path: Path, database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        event, ids = past_meetup(w)
        with Session(w.instance.engine) as session:
            with pytest.raises(CancellationClosed):
                cancel_registration(session, event, ids["guest"], now=STARTS)
            session.rollback()
            row, notices = cancel_registration(session, event, ids["guest"],
                                               now=STARTS - dt.timedelta(seconds=1))
            session.commit()
            assert row.status == "cancelled" and [n.kind for n in notices] == ["cancelled"]
