"""The pipeline in headless Chromium against a real server: a staff member signs in, opens
the board, moves an inquiry through the stages with the card's form, converts it, and reads
the member's whole history. No console error, no failed load, no CSP violation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from accounts_kit import EMAILS, PASSWORD, populate
from browser_kit import Tab, browser, pytestmark
from browser_kit import open_tab as _tab
from sqlmodel import Session, select

from campagne.app import create_app
from campagne.models import Region
from campagne.operations.models import Inquiry
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit, served

__all__ = ["browser", "pytestmark"]


@pytest.fixture(scope="module")
def staff_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The reference regions with demo data, accounts and one known inquiry, served by
    uvicorn on a free loopback port (SQLite)."""
    folder = tmp_path_factory.mktemp("pipeline-live")
    instance = RegionKit(folder).instance(reference_region_paths())
    populate(instance)
    with Session(instance.engine) as session:
        gers = session.exec(select(Region.id).where(Region.slug == "gers")).one()
        session.add(Inquiry(region_id=gers, first_name="Camille", last_name="Navigatrice",
                            email="camille.navigatrice@example.org",
                            sector_slug="it_internet_ecommerce", stage="new", synthetic=True,
                            # waiting longest: first in its column of the board
                            stage_changed_at=dt.datetime(2020, 1, 6, tzinfo=dt.UTC)))
        session.commit()
    try:
        with served(create_app(instance), "pipeline-live") as url:
            yield url
    finally:
        instance.engine.dispose()


@pytest.fixture
def staff_tab(browser: Any, staff_server: str) -> Iterator[Tab]:
    """A fresh French browser context on the staff server, JavaScript off (the pages must
    work without it)."""
    yield from _tab(browser, staff_server, javascript=False)


def move(tab: Tab, stage: str) -> None:
    """Move Camille's card to ``stage`` with the card's own form."""
    card = tab.page.locator("li.board-card", has_text="Camille Navigatrice")
    card.get_by_label("Déplacer Camille Navigatrice vers").select_option(label=stage)
    card.get_by_role("button", name="Déplacer").click()
    tab.page.wait_for_url("**/gers/staff/pipeline")


def test_staff_moves_an_inquiry_through_the_board_and_converts_it(staff_tab: Tab,
                                                                   tmp_path: Path) -> None:
    page = staff_tab.page
    staff_tab.open("/account/sign-in")
    page.get_by_label("Adresse électronique").fill(EMAILS["staff_gers"])
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/account/")
    page.get_by_role("link", name="Suivi des demandes").click()
    page.wait_for_url("**/gers/staff/pipeline")
    assert page.get_by_role("heading", name="Suivi des demandes", level=1).is_visible()
    new_column = page.locator("#stage-new")
    assert new_column.get_by_role("link", name="Camille Navigatrice").is_visible()
    move(staff_tab, "Contacté")
    contacted = page.locator("#stage-contacted")
    assert contacted.get_by_role("link", name="Camille Navigatrice").is_visible()
    move(staff_tab, "Visite découverte")
    move(staff_tab, "Projet en cours")
    column = page.locator("#stage-project_under_way")
    assert column.get_by_role("link", name="Camille Navigatrice").is_visible()
    page.screenshot(path=str(tmp_path / "board.png"), full_page=True)

    column.get_by_role("link", name="Camille Navigatrice").click()
    page.wait_for_url("**/gers/staff/inquiries/*")
    assert page.get_by_role("heading", name="Ce que le programme peut lui offrir").is_visible()
    page.get_by_label("Type de contact").select_option(label="Appel téléphonique")
    page.get_by_label("Ce qui s'est passé").fill("Point sur la recherche de maison")
    page.get_by_role("button", name="Ajouter à l'historique").click()
    page.wait_for_url("**/gers/staff/inquiries/*")
    page.get_by_role("button", name="Transformer en membre").click()
    page.wait_for_url("**/gers/staff/members/*")
    history = page.locator("ol.timeline")
    texts = history.inner_text()
    for expected in ("Devenu membre", "Point sur la recherche de maison",
                     "Nouvelle demande → Contacté", "Contacté → Visite découverte",
                     "Visite découverte → Projet en cours",
                     "Comité d'accueil : jumelé avec un ambassadeur bénévole du même secteur."):
        assert expected in texts, expected
    assert history.get_by_role("link").count() == 1  # the ambassador's record
    staff_tab.assert_clean()
