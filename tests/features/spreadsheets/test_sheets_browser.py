"""The import page in headless Chromium: a staff member signs in, uploads a spreadsheet,
corrects the column mapping, checks the rows, confirms and reads the report; no console
error, no failed load, no Content-Security-Policy violation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from accounts_kit import EMAILS, PASSWORD, populate
from browser_kit import Tab, browser, open_tab, pytestmark
from sheets_kit import DATA
from sqlmodel import Session, select

from campagne.app import create_app
from campagne.models import Member
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit, served

__all__ = ["browser", "pytestmark"]
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def staff_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """The reference regions with demo members and accounts behind a real HTTP server;
    yields the base URL and the instance."""
    instance = RegionKit(tmp_path_factory.mktemp("sheets-live")).instance(
        reference_region_paths())
    populate(instance)
    try:
        with served(create_app(instance), "sheets-live") as url:
            yield url, instance
    finally:
        instance.engine.dispose()


@pytest.fixture
def tab(browser: Any, staff_server: tuple[str, Any]) -> Iterator[Tab]:
    """A fresh French browser context on the staff server."""
    yield from open_tab(browser, staff_server[0])


def test_staff_import_a_spreadsheet_in_the_browser(tab: Tab,
                                                   staff_server: tuple[str, Any]) -> None:
    page = tab.page
    tab.open("/account/sign-in")
    page.get_by_label("Adresse électronique").fill(EMAILS["staff_gers"])
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/account/")

    tab.open("/gers/staff/members")
    page.get_by_role("link", name="Importer un tableur").click()
    page.wait_for_url("**/gers/staff/import")
    page.get_by_label("Fiches").select_option("members")
    page.get_by_label("Fichier", exact=True).set_input_files(str(DATA / "members.csv"))
    page.get_by_role("button", name=f"Suite{NBSP}: vérifier les colonnes").click()

    page.get_by_role("heading", name="Vérifier les colonnes").wait_for()
    assert page.get_by_label("Nom", exact=True).input_value() == "last_name"
    assert page.get_by_label("Téléphone").input_value() == "phone"
    page.get_by_label("Téléphone").select_option("-")  # leave the phones out
    page.get_by_role("button", name="Vérifier chaque ligne").click()

    summary = page.locator("#summary")
    assert summary.inner_text().startswith("Essai à blanc, rien n’a été écrit. 5 lignes lues")
    page.get_by_role("button", name="Confirmer l’import").click()
    page.get_by_role("heading", name="Compte rendu de l’import").wait_for()
    assert page.locator("#summary").inner_text() == (
        f"5 lignes lues{NBSP}: 5 créées, 0 mises à jour, 0 inchangées.")
    assert page.get_by_role("button", name="Confirmer l’import").count() == 0
    tab.assert_clean()

    with Session(staff_server[1].engine) as session:
        lacoste = session.exec(select(Member).where(Member.last_name == "Lacoste")).one()
    assert lacoste.email == "amelie.lacoste@example.org" and lacoste.phone is None
