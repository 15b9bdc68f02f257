"""The staff screens in headless Chromium, JavaScript off: the pipeline board shows all its
columns side by side on a 1366 px laptop screen, no staff page scrolls sideways on a 320 px
phone, and erasing a member asks on a page of its own before anything happens. No console
error, no failed load, no CSP violation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from accounts_kit import EMAILS, PASSWORD, populate
from browser_kit import Tab, browser, pytestmark
from browser_kit import open_tab as _tab
from sqlmodel import Session, col, select

from campagne.app import create_app
from campagne.features.meetups.models import Meetup
from campagne.features.spaces.models import Space
from campagne.models import Member, Region
from campagne.operations.models import Inquiry
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit, served

__all__ = ["browser", "pytestmark"]
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 320, "height": 640}


@pytest.fixture(scope="module")
def staff_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    """The reference regions with demo data and accounts, served by uvicorn on a free
    loopback port (SQLite); with the ids of a Gers member, inquiry, meetup and space."""
    folder = tmp_path_factory.mktemp("staff-screens-live")
    instance = RegionKit(folder).instance(reference_region_paths())
    populate(instance)
    with Session(instance.engine) as session:
        gers = session.exec(select(Region.id).where(Region.slug == "gers")).one()
        ids = {
            "member": session.exec(select(Member.id).where(
                Member.region_id == gers, col(Member.email).is_not(None))
                .order_by(col(Member.id).desc())).first(),
            "inquiry": session.exec(select(Inquiry.id).where(Inquiry.region_id == gers)).first(),
            "meetup": session.exec(select(Meetup.id).where(Meetup.region_id == gers)).first(),
            "space": session.exec(select(Space.id).where(Space.region_id == gers)).first()}
    try:
        with served(create_app(instance), "staff-screens-live") as url:
            yield url, {name: int(value or 0) for name, value in ids.items()}
    finally:
        instance.engine.dispose()


@pytest.fixture
def staff_tab(browser: Any, staff_server: tuple[str, dict[str, int]]) -> Iterator[Tab]:
    """A fresh French browser context on the staff server, JavaScript off, signed in as the
    Gers's staff."""
    for tab in _tab(browser, staff_server[0], javascript=False):
        tab.open("/account/sign-in")
        tab.page.get_by_label("Adresse électronique").fill(EMAILS["staff_gers"])
        tab.page.get_by_label("Mot de passe").fill(PASSWORD)
        tab.page.get_by_role("button", name="Se connecter").click()
        tab.page.wait_for_url("**/account/")
        yield tab


def sideways(tab: Tab) -> int:
    """How many pixels the page is wider than the window."""
    overflow: int = tab.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    return overflow


def test_the_board_shows_all_its_columns_on_a_laptop(staff_tab: Tab) -> None:
    page = staff_tab.page
    page.set_viewport_size(LAPTOP)
    staff_tab.open("/gers/staff/pipeline")
    columns = page.locator("section.board-column")
    assert columns.count() == 6
    width = page.evaluate("document.documentElement.clientWidth")
    boxes = [columns.nth(index).bounding_box() for index in range(columns.count())]
    assert all(box is not None for box in boxes)
    assert all(box["x"] >= 0 and box["x"] + box["width"] <= width for box in boxes), boxes
    assert len({round(box["y"]) for box in boxes}) == 1, "one row of columns"
    assert all(box["width"] >= 150 for box in boxes), "cards stay readable"
    board = page.locator("div.board")
    assert board.evaluate("element => element.scrollWidth <= element.clientWidth")
    assert sideways(staff_tab) == 0
    # a long column shows its first cards and leads to the stage's list, page by page
    first = page.locator("#stage-new")
    assert first.locator("li.board-card").count() == 10
    first.get_by_role("link", name="Voir la liste de l’étape").click()
    page.wait_for_url("**/gers/staff/pipeline/new")
    assert page.get_by_role("heading", name="Nouvelle demande", level=1).is_visible()
    assert sideways(staff_tab) == 0
    staff_tab.assert_clean()


def test_no_staff_page_scrolls_sideways_on_a_phone(
        staff_tab: Tab, staff_server: tuple[str, dict[str, int]]) -> None:
    ids = staff_server[1]
    staff_tab.page.set_viewport_size(PHONE)
    paths = ["/gers/staff/", "/gers/staff/pipeline", "/gers/staff/pipeline/new",
             f"/gers/staff/inquiries/{ids['inquiry']}", "/gers/staff/members",
             "/gers/staff/members?page=2", f"/gers/staff/members/{ids['member']}",
             "/gers/staff/meetups", f"/gers/staff/meetups/{ids['meetup']}",
             "/gers/staff/spaces", f"/gers/staff/spaces/{ids['space']}", "/gers/staff/import",
             "/gers/staff/outbox", "/gers/staff/newsletters"]
    wide = {}
    for path in paths:
        staff_tab.open(path)
        if sideways(staff_tab) > 0:
            wide[path] = sideways(staff_tab)
    assert not wide, wide
    # a search's results, the list sent by a form
    staff_tab.open("/gers/staff/members")
    staff_tab.page.get_by_label("Statut").select_option(label="Installé")
    staff_tab.page.get_by_role("button", name="Rechercher").click()
    staff_tab.page.wait_for_load_state()
    assert sideways(staff_tab) == 0
    staff_tab.page.locator("nav.pager").get_by_role("button", name="Page 2").click()
    staff_tab.page.wait_for_load_state()
    current = staff_tab.page.locator('nav.pager [aria-current="page"]').inner_text()
    assert current.split() == ["Page", "2"]
    assert sideways(staff_tab) == 0
    staff_tab.assert_clean()


def test_erasing_a_member_asks_on_a_page_first(
        staff_tab: Tab, staff_server: tuple[str, dict[str, int]]) -> None:
    page = staff_tab.page
    record = f"/gers/staff/members/{staff_server[1]['member']}"
    staff_tab.open(record)
    name = page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("button", name="Effacer…").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == f"Effacer {name}\u202f?"
    assert page.locator("nav.staff-menu").is_visible()
    page.get_by_role("link", name="Non, revenir en arrière").click()
    page.wait_for_url(f"**{record}")
    assert page.get_by_role("heading", level=1).inner_text() == name  # nothing changed
    page.get_by_role("button", name="Effacer…").click()
    page.get_by_role("button", name="Effacer définitivement").click()
    page.wait_for_url(f"**{record}")
    assert page.get_by_role("heading", level=1).inner_text() == "— —"
    staff_tab.assert_clean()
