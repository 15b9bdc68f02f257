"""The staff screens made for a working day: labels instead of stored codes, advisers by name,
e-mail and phone as links, the staff menu on every staff page, lists with page numbers,
totals and empty states, destructive actions that ask first, and a member's consents on
their own account page. Every page keeps its accessible structure."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts_kit import EMAILS, World, sign_in_afresh, world
from html_kit import assert_accessible_structure, parse, squash
from inquiry_kit import account_id, new_inquiry
from sqlmodel import Session, col, select

from campagne.auth.accounts import find_account, rename
from campagne.auth.models import Role, UserAccount
from campagne.features.meetups.models import Meetup
from campagne.features.spaces.models import Space
from campagne.models import Member, Region

CODES = ("settled", "settling", "health_wellbeing", "audit_consulting_training",
         "within_6_months", "word_of_mouth", "independent", "it_internet_ecommerce")
ADVISER = "Hélène Conseillère"


@pytest.fixture
def w(tmp_path: Path) -> Iterator[World]:
    with world(tmp_path) as built:
        built.client.follow_redirects = False
        yield built


def main_text(html: str) -> str:
    """The text of the page's ``<main>``, no-break spaces as plain ones."""
    return squash(parse(html).find("main").text)


def gers_id(w: World) -> int:
    with Session(w.instance.engine) as session:
        return int(session.exec(select(Region.id).where(Region.slug == "gers")).one() or 0)


def name_adviser(w: World) -> int:
    """Give the Gers staff account a display name; return its id."""
    with Session(w.instance.engine) as session:
        account = find_account(session, EMAILS["staff_gers"])
        assert account and account.id
        assert rename(session, account, f"  {ADVISER} ")
        session.commit()
        return account.id


def a_member(w: World, status: str, sector: str) -> int:
    with Session(w.instance.engine) as session:
        member = session.exec(select(Member).where(
            Member.region_id == gers_id(w), Member.status == status,
            Member.sector_slug == sector, col(Member.phone).is_not(None))).first()
        assert member and member.id
        return member.id


# --- labels, names, links ----------------------------------------------------------------------


def test_the_member_record_shows_labels_and_contact_links(w: World) -> None:
    member_id = a_member(w, "settled", "audit_consulting_training")
    sign_in_afresh(w.client)
    html = w.client.get(f"/gers/staff/members/{member_id}?lang=fr").text
    text = main_text(html)
    assert "Installé" in text and "Audit, conseil et formation" in text
    facts = parse(html).find("dl", class_="facts")
    assert not [code for code in CODES if code in facts.text]
    with Session(w.instance.engine) as session:
        member = session.get(Member, member_id)
        assert member and member.email and member.phone
    assert f'href="mailto:{member.email}"' in html
    digits = "".join(c for c in member.phone if c.isdigit() or c == "+")
    assert f'href="tel:{digits}"' in html
    options = re.findall(r'<option value="settled"[^>]*>([^<]+)</option>', html)
    assert options == ["Installé"]  # the status select of the edit form
    english = main_text(w.client.get(f"/gers/staff/members/{member_id}?lang=en").text)
    assert "Settled" in english and "Audit, consulting and training" in english


def test_the_members_list_shows_labels(w: World) -> None:
    sign_in_afresh(w.client)
    html = w.client.get("/gers/staff/members?lang=fr").text
    rows = parse(html).find("table", id="members").find("tbody")
    assert not [code for code in CODES if code in rows.text]
    assert re.search(r'<option value="health_wellbeing"[^>]*>Santé et bien-être</option>', html)
    assert re.search(r'<option value="settling"[^>]*>En cours d’installation</option>', html)


def test_the_inquiry_page_shows_the_forms_labels_the_adviser_and_links(w: World) -> None:
    adviser = name_adviser(w)
    inquiry = new_inquiry(w, last_name="Étiquette", status="independent",
                          timing="within_6_months", heard_from="word_of_mouth",
                          sector_slug="health_wellbeing", phone="+33 5 62 61 62 62",
                          advisor_id=adviser, next_action_on=dt.date(2026, 1, 5))
    sign_in_afresh(w.client)
    html = w.client.get(f"/gers/staff/inquiries/{inquiry}?lang=fr").text
    facts = squash(parse(html).find("dl", class_="facts").text)
    for label in ("Indépendant", "D’ici six mois", "Le bouche-à-oreille", "Santé et bien-être",
                  ADVISER):
        assert label in facts, label
    assert not [code for code in CODES if code in facts]
    assert EMAILS["staff_gers"] not in facts
    assert 'href="mailto:lea.testeuse@example.org"' in html
    assert 'href="tel:+33562616262"' in html
    assert f'<option value="{adviser}" selected>{ADVISER}</option>' in html
    # a value the form does not offer (an import's, an old one) shows as written
    other = new_inquiry(w, timing="Dans les 3 mois")
    assert "Dans les 3 mois" in main_text(
        w.client.get(f"/gers/staff/inquiries/{other}").text)
    english = squash(parse(w.client.get(f"/gers/staff/inquiries/{inquiry}?lang=en").text)
                     .find("dl", class_="facts").text)
    assert "Within six months" in english and "Independent" in english


def test_advisers_are_shown_by_name_on_the_board_the_day_and_the_history(w: World) -> None:
    adviser = name_adviser(w)
    today = dt.date.today()
    inquiry = new_inquiry(w, last_name="Nommée", stage="contacted", advisor_id=adviser,
                          next_action_on=today - dt.timedelta(days=1),
                          stage_changed_at=dt.datetime(2020, 1, 6, tzinfo=dt.UTC))
    csrf = sign_in_afresh(w.client)
    board = w.client.get("/gers/staff/pipeline").text
    card = board.split(f'id="inquiry-{inquiry}"')[1].split("</li>")[0]
    assert ADVISER in card and EMAILS["staff_gers"] not in card
    assert ADVISER in w.client.get("/gers/staff/").text.split('id="due"')[1]
    w.client.post(f"/gers/staff/inquiries/{inquiry}/interactions",
                  data={"csrf": csrf, "kind": "call", "summary": "Appel de suivi"})
    history = parse(w.client.get(f"/gers/staff/inquiries/{inquiry}").text).find(
        "ol", class_="timeline")
    assert ADVISER in history.text and EMAILS["staff_gers"] not in history.text
    # an account without a name still shows: by its e-mail address
    with Session(w.instance.engine) as session:
        account = session.get(UserAccount, adviser)
        assert account is not None
        rename(session, account, "")
        session.commit()
    board = w.client.get("/gers/staff/pipeline").text
    assert EMAILS["staff_gers"] in board.split(f'id="inquiry-{inquiry}"')[1].split("</li>")[0]


def test_the_follow_up_offers_advisers_by_name(w: World) -> None:
    name_adviser(w)
    sign_in_afresh(w.client)
    html = w.client.get(f"/gers/staff/members/{w.gers_member}").text
    select_html = html.split('id="milestone-advisor"')[1].split("</select>")[0]
    assert ADVISER in select_html and EMAILS["staff_gers"] not in select_html


def test_demo_advisers_have_names(w: World) -> None:
    with Session(w.instance.engine) as session:
        advisers = session.exec(select(UserAccount).where(
            col(UserAccount.email).like("conseil-%@demo.example.org"))).all()
    assert len(advisers) == 4
    assert all(account.display_name and "@" not in account.display_name
               for account in advisers)


# --- the staff menu and the structure of every staff page ---------------------------------------


def staff_pages(w: World) -> list[str]:
    """One of each staff page of the Gers (lists, records, forms)."""
    inquiry = new_inquiry(w)
    with Session(w.instance.engine) as session:
        meetup = session.exec(select(Meetup.id).where(Meetup.region_id == gers_id(w))).first()
        space = session.exec(select(Space.id).where(Space.region_id == gers_id(w))).first()
    return ["/gers/staff/", "/gers/staff/pipeline", "/gers/staff/pipeline/new",
            f"/gers/staff/inquiries/{inquiry}", "/gers/staff/members",
            f"/gers/staff/members/{w.gers_member}", "/gers/staff/meetups",
            "/gers/staff/meetups/new", f"/gers/staff/meetups/{meetup}", "/gers/staff/spaces",
            f"/gers/staff/spaces/{space}", "/gers/staff/import", "/gers/staff/outbox",
            "/gers/staff/newsletters"]


def test_every_staff_page_has_the_staff_menu_and_an_accessible_structure(w: World) -> None:
    paths = staff_pages(w)
    sign_in_afresh(w.client)
    for path in paths:
        answer = w.client.get(path)
        assert answer.status_code == 200, path
        document = parse(answer.text)
        assert_accessible_structure(document)
        menu = document.find("nav", class_="staff-menu")
        assert menu.get("aria-label") == "Menu de l'équipe", path
        links = {a.get("href") for a in menu.find_all("a")}
        assert {"/gers/staff/", "/gers/staff/pipeline", "/gers/staff/members",
                "/gers/staff/meetups", "/gers/staff/spaces"} <= links, path
        assert len([a for a in menu.find_all("a") if a.get("aria-current")]) <= 1, path
        assert 'href="/static/core/staff.css"' in answer.text, path
        main_menu = document.find("nav", class_="main-menu")
        assert any(a.get("href") == "/gers/staff/" for a in main_menu.find_all("a")), path


def test_the_menu_marks_the_section_of_the_page(w: World) -> None:
    sign_in_afresh(w.client)
    for path, current in (("/gers/staff/import", "/gers/staff/members"),
                          ("/gers/staff/meetups/new", "/gers/staff/meetups"),
                          ("/gers/staff/pipeline/contacted", "/gers/staff/pipeline")):
        menu = parse(w.client.get(path).text).find("nav", class_="staff-menu")
        assert [a.get("href") for a in menu.find_all("a") if a.get("aria-current")] == [
            current], path


def test_public_pages_and_a_members_page_have_no_staff_menu(w: World) -> None:
    for path in ("/gers/", "/gers/rencontres"):
        assert 'class="staff-menu"' not in w.client.get(path).text
    sign_in_afresh(w.client, "member")
    assert 'class="staff-menu"' not in w.client.get("/account/").text


# --- lists: page numbers, totals, empty states ---------------------------------------------------


def test_the_members_list_has_page_numbers_and_a_total(w: World) -> None:
    with Session(w.instance.engine) as session:
        total = len(session.exec(select(Member.id).where(Member.region_id == gers_id(w))).all())
    last = -(-total // 50)
    assert last > 3
    sign_in_afresh(w.client)
    first = parse(w.client.get("/gers/staff/members?lang=fr").text)
    caption = squash(first.find("table", id="members").find("caption").text)
    assert caption.startswith(f"{total} fiches") and "1 à 50 affichés" in caption
    pager = first.find("nav", class_="pager")
    hrefs = [a.get("href") for a in pager.find_all("a")]
    assert "/gers/staff/members?page=2" in hrefs and f"/gers/staff/members?page={last}" in hrefs
    assert squash(pager.find("span", aria_current="page").text) == "Page 1"
    assert f"Page 1 sur {last}" in squash(pager.text)
    middle = parse(w.client.get("/gers/staff/members?page=3").text).find("nav", class_="pager")
    assert "/gers/staff/members?page=2" in [a.get("href") for a in middle.find_all("a")]
    assert squash(middle.find("span", aria_current="page").text) == "Page 3"
    past = main_text(w.client.get(f"/gers/staff/members?page={last + 5}").text)
    assert "Cette page est au-delà de la fin de la liste" in past


def test_a_search_pages_on_with_buttons_and_says_when_nothing_matches(w: World) -> None:
    csrf = sign_in_afresh(w.client)
    found = w.client.post("/gers/staff/members", data={"csrf": csrf, "status": "settled"})
    pager = parse(found.text).find("nav", class_="pager")
    form = pager.find("form")
    assert form.get("method") == "post" and form.get("action") == "/gers/staff/members"
    hidden = {i.get("name"): i.get("value") for i in form.find_all("input")}
    assert hidden["status"] == "settled" and hidden["csrf"] == csrf
    assert "2" in [b.get("value") for b in form.find_all("button")]
    second = w.client.post("/gers/staff/members", data={"csrf": csrf, "status": "settled",
                                                         "page": "2"})
    assert squash(parse(second.text).find("span", aria_current="page").text) == "Page 2"
    none = w.client.post("/gers/staff/members", data={"csrf": csrf, "name": "Zzzyxw"})
    assert "Aucun membre ne correspond à ces critères" in main_text(none.text)
    assert "<table" not in none.text.split("<main")[1]
    nobody = w.client.post("/gers/staff/inquiries", data={"csrf": csrf, "name": "Zzzyxw"})
    assert "Aucune demande ne correspond" in main_text(nobody.text)


def test_the_inquiries_search_pages_on(w: World) -> None:
    for n in range(55):
        new_inquiry(w, first_name=f"Page{n:02d}", last_name="Recherche",
                    email=f"page{n}@example.org")
    csrf = sign_in_afresh(w.client)
    first = w.client.post("/gers/staff/inquiries", data={"csrf": csrf, "name": "Recherche"})
    document = parse(first.text)
    assert squash(document.find("caption").text).startswith("55 demandes")
    assert first.text.count("Recherche</a>") == 50
    second = w.client.post("/gers/staff/inquiries", data={"csrf": csrf, "name": "Recherche",
                                                           "page": "2"})
    assert second.text.count("Recherche</a>") == 5


def test_lists_of_meetups_spaces_and_bookings_have_totals_and_empty_states(w: World) -> None:
    sign_in_afresh(w.client)
    meetups = parse(w.client.get("/gers/staff/meetups").text).find("caption")
    assert re.match(r"\d+ rencontres? des douze derniers mois et à venir", squash(meetups.text))
    with Session(w.instance.engine) as session:
        space = session.exec(select(Space).where(Space.region_id == gers_id(w))).first()
        assert space and space.id
    far = (dt.date.today() + dt.timedelta(days=300)).isoformat()
    day = w.client.get(f"/gers/staff/spaces/{space.id}?day={far}").text
    assert "Aucune réservation ce jour-là" in main_text(day)
    empty_board_column = parse(w.client.get("/gers/staff/pipeline/settled").text)
    assert empty_board_column.find("h1").text


# --- destructive actions: secondary buttons, a confirmation the server checks ------------------


def test_erasing_a_member_asks_first_and_the_button_is_secondary(w: World) -> None:
    member_id = a_member(w, "settling", "it_internet_ecommerce")
    csrf = sign_in_afresh(w.client)
    record = w.client.get(f"/gers/staff/members/{member_id}").text
    form = record.split(f'action="/gers/staff/members/{member_id}/erase"')[1].split("</form>")[0]
    assert 'class="danger secondary"' in form
    asked = w.client.post(f"/gers/staff/members/{member_id}/erase", data={"csrf": csrf})
    assert asked.status_code == 200
    document = parse(asked.text)
    assert_accessible_structure(document)
    with Session(w.instance.engine) as session:
        member = session.get(Member, member_id)
        assert member and member.erased_at is None
        name = f"{member.first_name} {member.last_name}"
    assert name in document.find("h1").text
    confirm = document.find("form", class_="confirm-form")
    assert confirm.get("action") == f"/gers/staff/members/{member_id}/erase"
    assert {i.get("name"): i.get("value") for i in confirm.find_all("input")} == {
        "csrf": csrf, "confirm": "yes"}
    assert f'href="/gers/staff/members/{member_id}"' in str(asked.text)  # the way back
    assert document.find("nav", class_="staff-menu")
    for wrong in ("no", "", "YES"):
        w.client.post(f"/gers/staff/members/{member_id}/erase",
                      data={"csrf": csrf, "confirm": wrong})
    with Session(w.instance.engine) as session:
        member = session.get(Member, member_id)
        assert member and member.erased_at is None
    done = w.client.post(f"/gers/staff/members/{member_id}/erase",
                         data={"csrf": csrf, "confirm": "yes"})
    assert done.status_code == 303
    with Session(w.instance.engine) as session:
        member = session.get(Member, member_id)
        assert member and member.erased_at is not None


def test_the_confirmation_page_is_behind_every_check(w: World) -> None:
    member_id = a_member(w, "settling", "it_internet_ecommerce")
    path = f"/gers/staff/members/{member_id}/erase"
    reader = sign_in_afresh(w.client, "reader_gers")
    assert w.client.post(path, data={"csrf": reader}).status_code == 403
    orne = sign_in_afresh(w.client, "staff_orne")
    assert w.client.post(path, data={"csrf": orne}).status_code == 403
    staff = sign_in_afresh(w.client)
    assert w.client.post(path, data={"csrf": "forged"}).status_code == 403
    assert w.client.post(f"/gers/staff/members/{w.orne_member}/erase",
                         data={"csrf": staff}).status_code == 404


def test_every_destructive_button_of_the_staff_pages_is_secondary(w: World) -> None:
    paths = staff_pages(w)
    sign_in_afresh(w.client)
    destructive = re.compile(r'action="[^"]*/(erase|delete|cancel|deactivate)"')
    seen = 0
    for path in paths:
        html = w.client.get(path).text
        for match in destructive.finditer(html):
            if match.group(0).endswith('/import/cancel"'):
                continue
            seen += 1
            form_id = re.search(r'id="(cancel-\d+)"', html[match.start() - 200:match.start()])
            if form_id:  # a button outside its form (the sign-ups' table)
                button = re.search(rf'<button[^>]*form="{form_id.group(1)}"[^>]*>', html)
            else:
                button = re.search(r"<button[^>]*>", html[match.end():])
            assert button and "secondary" in button.group(0), (path, match.group(0))
    assert seen >= 4


# --- the member's own account page --------------------------------------------------------------


def test_a_members_account_page_shows_the_consents_the_record_holds(w: World) -> None:
    staff = sign_in_afresh(w.client)
    w.client.post(f"/gers/staff/members/{w.gers_member}/consents",
                  data={"csrf": staff, "purpose": "keep_application"})
    sign_in_afresh(w.client, "member")
    html = w.client.get("/account/?lang=fr").text
    with Session(w.instance.engine) as session:
        member = session.get(Member, w.gers_member)
        assert member and member.consent_purpose
    consents = squash(html.split('id="consents"')[1].split("<h2")[0])
    assert member.consent_purpose in consents
    assert "Donné à l’ouverture de votre fiche" in consents
    assert "Conserver la candidature deux ans, donné le" in consents
    assert "keep_application" not in consents.replace('value="keep_application"', "")
    facts = squash(parse(html).find("dl", class_="facts").text)
    assert member.status not in facts.split()
    withdraw = consents.split('action="/account/consents/withdraw"')[1].split("</form>")[0]
    assert 'class="secondary"' in withdraw


def test_a_member_without_any_consent_is_told_so(w: World) -> None:
    with Session(w.instance.engine) as session:
        member = session.get(Member, w.gers_member)
        assert member
        member.consent_purpose = None
        member.consent_given_at = None
        session.add(member)
        session.commit()
    sign_in_afresh(w.client, "member")
    html = w.client.get("/account/?lang=fr").text
    assert "Aucun consentement enregistré" in html.split('id="consents"')[1]


# --- accounts: names and role labels ------------------------------------------------------------


def test_administrators_name_accounts_and_read_roles_as_words(w: World) -> None:
    csrf = sign_in_afresh(w.client, "admin")
    page = w.client.get("/admin/users?lang=fr").text
    rows = parse(page).find("tbody")
    assert "Équipe de la région" in rows.text and "Administrateur" in rows.text
    assert not re.search(r"<td>(staff|admin|member)\b", page)
    target = account_id(w, "staff_orne")
    saved = w.client.post(f"/admin/users/{target}/access", follow_redirects=True, data={
        "csrf": csrf, "role": "staff", "region": "orne", "name": "Odile Orne"})
    assert saved.status_code == 200 and "Le nom est enregistré" in saved.text
    assert "Odile Orne" in parse(saved.text).find("tbody").text
    with Session(w.instance.engine) as session:
        account = session.get(UserAccount, target)
        assert account and account.display_name == "Odile Orne"
    invited = w.client.post("/admin/users", data={
        "csrf": csrf, "email": "nouvelle@example.org", "role": Role.STAFF.value,
        "region": "gers", "name": "Nina Nouvelle"})
    assert invited.status_code == 200
    with Session(w.instance.engine) as session:
        account = find_account(session, "nouvelle@example.org")
        assert account and account.display_name == "Nina Nouvelle"
    too_long = w.client.post(f"/admin/users/{target}/access", data={
        "csrf": csrf, "role": "staff", "region": "orne", "name": "N" * 150})
    assert too_long.status_code == 200 and 'role="alert"' in too_long.text
