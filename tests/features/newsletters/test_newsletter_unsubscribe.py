"""The unsubscribe link, without signing in: opening it only shows a button (a link
scanner unsubscribes no one), the button unsubscribes, a forged or altered secret is
refused with a clear page, and a link of another region does nothing there."""

from __future__ import annotations

import re
from pathlib import Path

from accounts_kit import World, world
from fastapi.testclient import TestClient
from inquiry_kit import new_inquiry
from newsletters_kit import subscribe, subscription, written
from sqlmodel import Session, select

from campagne.auth.models import AuditEvent
from campagne.features.newsletters.models import Newsletter
from campagne.features.newsletters.tokens import token_subject, unsubscribe_token
from campagne.plugin_data import region_id_of

URL = "/gers/newsletters/unsubscribe"


def a_newsletter(w: World, slug: str = "gers") -> int:
    """A draft newsletter of region ``slug``; its id."""
    with Session(w.instance.engine) as session:
        row = Newsletter(region_id=region_id_of(session, slug), subject="Lettre",
                         body="Bonjour", segment="prospects")
        session.add(row)
        session.commit()
        assert row.id is not None
        return row.id


def test_the_page_asks_before_unsubscribing(tmp_path: Path) -> None:
    with world(tmp_path) as w:
        person = subscribe(w, inquiry_id=new_inquiry(w))
        token = unsubscribe_token(w.instance.settings, person, a_newsletter(w))
        visitor = TestClient(w.client.app)
        page = visitor.get(URL, params={"token": token})
        assert page.status_code == 200 and "no-store" in page.headers["cache-control"]
        assert "Me désabonner" in page.text
        assert subscription(w, person).unsubscribed_at is None  # type: ignore[union-attr]
        action = re.search(r'<form method="post" action="([^"]+)"', page.text)
        assert action
        posted = visitor.post(action.group(1).replace("&amp;", "&"), follow_redirects=False,
                              data={"List-Unsubscribe": "One-Click", "from_page": "1"})
        assert posted.status_code == 303  # the page's button: on to the link's page
        done = visitor.get(posted.headers["location"])
        assert done.status_code == 200 and "désabonnement est enregistré" in done.text
        assert subscription(w, person).unsubscribed_at is not None  # type: ignore[union-attr]
        again = visitor.get(URL, params={"token": token})
        assert "Vous ne recevez plus" in again.text and "Me désabonner" not in again.text
        with Session(w.instance.engine) as session:
            [event] = session.exec(select(AuditEvent).where(
                AuditEvent.action == "newsletter_unsubscribe")).all()
        assert event.target == f"newsletter_subscription:{person}"
        assert "@" not in str(event.detail)


def test_a_forged_secret_is_refused(tmp_path: Path) -> None:
    with world(tmp_path) as w:
        person = subscribe(w, inquiry_id=new_inquiry(w))
        letter = a_newsletter(w)
        real = unsubscribe_token(w.instance.settings, person, letter)
        forged = [f"{person}.{letter}.{'0' * 40}", real[:-1] + ("0" if real[-1] != "0" else "1"),
                  f"{person + 1}.{letter}.{real.rsplit('.', 1)[1]}", "", "abc", "١.٢.x"]
        visitor = TestClient(w.client.app)
        for token in forged:
            assert token_subject(w.instance.settings, token) is None
            page = visitor.get(URL, params={"token": token})
            assert page.status_code == 400 and "pas valide" in page.text, token
            posted = visitor.post(URL, params={"token": token},
                                  content="List-Unsubscribe=One-Click",
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
            assert posted.status_code == 400 and "pas valide" in posted.text
        assert subscription(w, person).unsubscribed_at is None  # type: ignore[union-attr]


def test_a_link_of_another_region_does_nothing_there(tmp_path: Path) -> None:
    with world(tmp_path) as w:
        person = subscribe(w, inquiry_id=new_inquiry(w))  # a Gers prospect
        token = unsubscribe_token(w.instance.settings, person, a_newsletter(w))
        orne = TestClient(w.client.app).post("/orne/newsletters/unsubscribe",
                                             params={"token": token})
        assert orne.status_code == 200
        assert subscription(w, person).unsubscribed_at is None  # type: ignore[union-attr]


def test_counts_go_to_the_newsletter_of_the_link(tmp_path: Path) -> None:
    from accounts_kit import sign_in_world

    with world(tmp_path) as w:
        person = subscribe(w, inquiry_id=new_inquiry(w))
        csrf = sign_in_world(w, "staff_gers")
        letter = written(w, csrf, segment="prospects")
        token = unsubscribe_token(w.instance.settings, person, letter)
        TestClient(w.client.app).post(URL, params={"token": token})
        TestClient(w.client.app).post(URL, params={"token": token})
        with Session(w.instance.engine) as session:
            stored = session.get(Newsletter, letter)
            assert stored is not None and stored.unsubscribed_count == 1
