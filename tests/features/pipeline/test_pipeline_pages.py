"""The staff pages of the pipeline with a signed-in session: today's page, the board and its
move forms, an inquiry's page and its forms, read-only staff, other regions' staff."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts_kit import EMAILS, PASSWORD, World, world
from fastapi.testclient import TestClient
from inquiry_kit import account_id, new_inquiry
from sqlmodel import Session, select

from campagne.features.meetups.models import Meetup
from campagne.models import Region
from campagne.operations.models import Inquiry
from campagne.operations.timeline import programme_today

# Waiting longer than every demo inquiry: its card comes first in its column.
LONG_AGO = dt.datetime(2020, 1, 6, tzinfo=dt.UTC)


@pytest.fixture
def w(tmp_path: Path, database_url: str) -> Iterator[World]:
    with world(tmp_path, database_url) as built:
        yield built


def sign_in(w: World, role: str) -> tuple[TestClient, str]:
    """A client signed in as ``role`` (no redirects followed) and its CSRF token."""
    client = TestClient(w.client.app, follow_redirects=False)
    form = client.get("/account/sign-in").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf
    signed = client.post("/account/sign-in", data={"csrf": csrf.group(1),
                                                   "email": EMAILS[role], "password": PASSWORD})
    assert signed.status_code == 303
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/account/").text)
    assert found
    return client, found.group(1)


def stage_of(w: World, inquiry: int) -> str:
    with Session(w.instance.engine) as session:
        row = session.get(Inquiry, inquiry)
        assert row is not None
        return row.stage


def test_todays_page_lists_what_is_due_new_inquiries_and_meetups(w: World) -> None:
    today = programme_today()
    due = new_inquiry(w, last_name="Aujourdhui", stage="contacted", next_action_on=today,
                      next_action="Rappeler Léa", advisor_id=account_id(w, "staff_gers"))
    late = new_inquiry(w, last_name="Enretard", stage="contacted",
                       next_action_on=today - dt.timedelta(days=3))
    later = new_inquiry(w, last_name="Plustard", stage="contacted",
                        next_action_on=today + dt.timedelta(days=3))
    closed = new_inquiry(w, last_name="Close", stage="not_pursued", next_action_on=today)
    with Session(w.instance.engine) as session:
        gers = session.exec(select(Region.id).where(Region.slug == "gers")).one()
        start = dt.datetime.now(dt.UTC) + dt.timedelta(days=6)
        session.add(Meetup(region_id=gers, uid="meetup-test@campagne", title="Club des Soho",
                           starts_at=start, ends_at=start + dt.timedelta(hours=2),
                           place="Auch", capacity=30))
        session.commit()
    client, _ = sign_in(w, "staff_gers")
    page = client.get("/gers/staff/?lang=fr")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    due_section = page.text.split('id="due"')[1].split('id="new"')[0]
    for inquiry in (due, late):
        assert f'href="/gers/staff/inquiries/{inquiry}"' in due_section
    for inquiry in (later, closed):
        assert f'href="/gers/staff/inquiries/{inquiry}"' not in due_section
    assert "Rappeler Léa" in due_section and EMAILS["staff_gers"] in due_section
    assert due_section.index("Enretard") < due_section.index("Aujourdhui")
    assert 'class="badge overdue"' in due_section
    new_section = page.text.split('id="new"')[1].split('id="stages"')[0]
    assert "Testeuse" in new_section or "href=\"/gers/staff/inquiries/" in new_section
    assert "Club des Soho" in page.text
    assert 'href="/gers/staff/pipeline"' in page.text and 'href="/gers/staff/"' in page.text


def test_the_board_moves_cards_with_a_form(w: World) -> None:
    inquiry = new_inquiry(w, last_name="Tableau", stage_changed_at=LONG_AGO)
    client, csrf = sign_in(w, "staff_gers")
    board = client.get("/gers/staff/pipeline?lang=fr").text
    for key in ("new", "contacted", "discovery_visit", "project_under_way", "settled",
                "not_pursued"):
        assert f'id="stage-{key}"' in board
    column = board.split('id="stage-new"')[1].split("</section>")[0]
    assert f'id="inquiry-{inquiry}"' in column
    assert f'action="/gers/staff/inquiries/{inquiry}/stage"' in column
    assert re.search(r"Nouvelle demande <span class=\"count\">\(\d+\)</span>", board)
    moved = client.post(f"/gers/staff/inquiries/{inquiry}/stage",
                        data={"csrf": csrf, "version": "1", "stage": "contacted"})
    assert moved.status_code == 303 and moved.headers["location"] == "/gers/staff/pipeline"
    assert stage_of(w, inquiry) == "contacted"
    stale = client.post(f"/gers/staff/inquiries/{inquiry}/stage",
                        data={"csrf": csrf, "version": "1", "stage": "discovery_visit"})
    assert stale.headers["location"] == "/gers/staff/pipeline?conflict=1"
    assert stage_of(w, inquiry) == "contacted"
    forged = client.post(f"/gers/staff/inquiries/{inquiry}/stage",
                         data={"csrf": "forged", "version": "2", "stage": "settled"})
    assert forged.status_code == 403 and stage_of(w, inquiry) == "contacted"
    unknown = client.post(f"/gers/staff/inquiries/{inquiry}/stage",
                          data={"csrf": csrf, "version": "2", "stage": "nowhere"})
    assert unknown.status_code == 422 and stage_of(w, inquiry) == "contacted"
    back = client.post(f"/gers/staff/inquiries/{inquiry}/stage",
                       data={"csrf": csrf, "version": "2", "stage": "discovery_visit",
                             "back": "detail"})
    assert back.headers["location"] == f"/gers/staff/inquiries/{inquiry}"


def test_read_only_staff_see_the_board_without_forms(w: World) -> None:
    inquiry = new_inquiry(w, stage_changed_at=LONG_AGO)
    client, csrf = sign_in(w, "reader_gers")
    board = client.get("/gers/staff/pipeline").text
    assert f'id="inquiry-{inquiry}"' in board and "/stage\"" not in board
    detail = client.get(f"/gers/staff/inquiries/{inquiry}").text
    assert f'action="/gers/staff/inquiries/{inquiry}/convert"' not in detail
    for path, data in ((f"/gers/staff/inquiries/{inquiry}/stage", {"stage": "contacted"}),
                       (f"/gers/staff/inquiries/{inquiry}", {"stage": "contacted"}),
                       (f"/gers/staff/inquiries/{inquiry}/interactions", {
                           "kind": "call", "summary": "x"}),
                       (f"/gers/staff/inquiries/{inquiry}/convert", {})):
        assert client.post(path, data={"csrf": csrf, "version": "1", **data}
                           ).status_code == 403, path
    assert stage_of(w, inquiry) == "new"


def test_other_regions_staff_are_refused(w: World) -> None:
    inquiry = new_inquiry(w)
    client, csrf = sign_in(w, "staff_orne")
    for path in ("/gers/staff/", "/gers/staff/pipeline", f"/gers/staff/inquiries/{inquiry}"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/gers/staff/inquiries/{inquiry}/stage", data={
        "csrf": csrf, "version": "1", "stage": "contacted"}).status_code == 403
    assert client.get("/orne/staff/pipeline").status_code == 200
    assert client.get(f"/orne/staff/inquiries/{inquiry}").status_code == 404
    assert stage_of(w, inquiry) == "new"


def test_the_inquiry_page_follows_up_and_converts(w: World) -> None:
    inquiry = new_inquiry(w, status="independent", profile={"commute_minutes_one_way": 40})
    client, csrf = sign_in(w, "staff_gers")
    url = f"/gers/staff/inquiries/{inquiry}"
    page = client.get(url + "?lang=fr").text
    assert "Léa Testeuse" in page and 'id="eligibility"' in page
    assert "L&#39;offre Soho Solo" in page and "Éligible" in page
    refused = client.post(url, data={"csrf": csrf, "version": "1", "stage": "contacted",
                                     "advisor_id": str(account_id(w, "staff_orne"))})
    assert refused.status_code == 422 and "Conseiller" in refused.text
    assert stage_of(w, inquiry) == "new"
    bad_date = client.post(url, data={"csrf": csrf, "version": "1",
                                      "next_action_on": "demain"})
    assert bad_date.status_code == 422
    due = (programme_today() + dt.timedelta(days=1)).isoformat()
    saved = client.post(url, data={"csrf": csrf, "version": "1", "stage": "contacted",
                                   "advisor_id": str(account_id(w, "staff_gers")),
                                   "next_action_on": due, "next_action": "Envoyer la liste"})
    assert saved.status_code == 303
    noted = client.post(f"{url}/interactions", data={
        "csrf": csrf, "kind": "call", "summary": "Appel de découverte",
        "on": programme_today().isoformat()})
    assert noted.status_code == 303
    page = client.get(url + "?lang=fr").text
    assert "Appel de découverte" in page and "Appel téléphonique" in page
    assert "Nouvelle demande → Contacté" in page and "Envoyer la liste" in page
    converted = client.post(f"{url}/convert", data={"csrf": csrf})
    assert converted.status_code == 303
    member_url = converted.headers["location"]
    assert re.fullmatch(r"/gers/staff/members/\d+", member_url)
    again = client.post(f"{url}/convert", data={"csrf": csrf})
    assert again.headers["location"] == member_url
    member = client.get(member_url + "?lang=fr").text
    history = member.split('id="timeline"')[1]
    assert "Appel de découverte" in history and "Nouvelle demande → Contacté" in history
    assert "Devenu membre" in history and "Comité d&#39;accueil" in history
    assert f'href="{member_url}"' in client.get(url).text


def test_search_by_name_keeps_it_out_of_the_url(w: World) -> None:
    inquiry = new_inquiry(w, last_name="Introuvable")
    client, csrf = sign_in(w, "staff_gers")
    found = client.post("/gers/staff/inquiries", data={"csrf": csrf, "name": "introuvable"})
    assert found.status_code == 200 and str(found.url).endswith("/gers/staff/inquiries")
    assert f'href="/gers/staff/inquiries/{inquiry}"' in found.text
    nothing = client.post("/gers/staff/inquiries", data={"csrf": csrf, "email": "no@no.org"})
    assert f'href="/gers/staff/inquiries/{inquiry}"' not in nothing.text


def test_a_long_column_shows_those_waiting_longest(w: World) -> None:
    with Session(w.instance.engine) as session:
        gers = session.exec(select(Region.id).where(Region.slug == "gers")).one()
        start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        for n in range(60):
            session.add(Inquiry(region_id=gers, first_name=f"P{n:02d}", last_name="Longue",
                                stage="discovery_visit", synthetic=True,
                                stage_changed_at=start + dt.timedelta(days=n)))
        session.commit()
    client, _ = sign_in(w, "staff_gers")
    board = client.get("/gers/staff/pipeline?lang=fr").text
    column = board.split('id="stage-discovery_visit"')[1].split("</section>")[0]
    count = int(re.search(r'<span class="count">\((\d+)\)</span>', column).group(1))  # type: ignore[union-attr]
    assert count >= 60
    assert column.count('class="board-card"') == 10
    assert "P00 Longue" in column and "P09 Longue" in column and "P10 Longue" not in column
    assert "Les 10 qui attendent depuis le plus longtemps sont affichées" in column
    assert 'href="/gers/staff/pipeline/discovery_visit"' in column
    first = client.get("/gers/staff/pipeline/discovery_visit?lang=fr")
    assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
    assert f"{count} demandes à cette étape" in first.text
    assert first.text.count("Longue</a>") == 50  # a page of the list, in the board's order
    assert first.text.index("P00 Longue") < first.text.index("P01 Longue")
    assert 'href="/gers/staff/pipeline/discovery_visit?page=2"' in first.text
    assert 'aria-current="page"' in first.text.split('class="pager"')[1]
    second = client.get("/gers/staff/pipeline/discovery_visit?page=2").text
    assert "P59 Longue" in second and "P00 Longue" not in second
    assert second.count("Longue</a>") == 60 - 50 and second.count("<tr>") == count - 50 + 1
    past = client.get("/gers/staff/pipeline/discovery_visit?page=9").text
    assert "Longue</a>" not in past and "Revenir à la première page" in past
    assert client.get("/gers/staff/pipeline/nowhere").status_code == 404
    empty = client.get("/gers/staff/pipeline/not_pursued").text
    assert "Longue" not in empty
