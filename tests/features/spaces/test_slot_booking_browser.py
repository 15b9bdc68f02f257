"""A member books a desk by choosing a free cell of the seats table, in headless Chromium
with JavaScript turned off: the cell is a button named for its day and half day, the form
leads to the booking's confirmation page with its calendar file, and back on the space the
cell taken is no longer a button; closed days show as closed, without buttons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from accounts_kit import EMAILS, PASSWORD, populate
from browser_kit import Tab, browser, open_tab, pytestmark
from spaces_kit import threaded_server
from sqlmodel import Session, select

from campagne.features.spaces.bookings import today
from campagne.features.spaces.models import WORKING_WEEK, Booking, Space
from campagne.i18n import format_day
from campagne.models import Region
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit

__all__ = ["browser", "pytestmark"]
SPACE_NAME = "Télécentre des cases"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any, int]]:
    """The reference regions with accounts and a one-desk Gers space open Monday to Friday."""
    folder: Path = tmp_path_factory.mktemp("slot-booking")
    instance = RegionKit(folder).instance(reference_region_paths())
    populate(instance)
    with Session(instance.engine) as session:
        gers = session.exec(select(Region).where(Region.slug == "gers")).one()
        assert gers.id is not None
        space = Space(region_id=gers.id, name=SPACE_NAME, commune="Auch", seats=1,
                      opening_days=WORKING_WEEK)
        session.add(space)
        session.commit()
        assert space.id is not None
        space_id = space.id
    try:
        with threaded_server(instance) as base:
            yield base, instance, space_id
    finally:
        instance.engine.dispose()


@pytest.fixture
def no_script_tab(browser: Any, served: tuple[str, Any, int]) -> Iterator[Tab]:
    yield from open_tab(browser, served[0], javascript=False)


def test_a_free_cell_books_the_desk_without_javascript(
        no_script_tab: Tab, served: tuple[str, Any, int]) -> None:
    _base, instance, space_id = served
    tab, page = no_script_tab, no_script_tab.page
    tab.open("/account/sign-in")
    page.get_by_label("Adresse électronique").fill(EMAILS["member"])
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/account/")
    tab.open(f"/gers/espaces/{space_id}")
    day = today() + dt.timedelta(days=1)
    day += dt.timedelta(days=(2 - day.isoweekday()) % 7)  # the next Tuesday from tomorrow
    name = f"Réserver le {format_day(day, 'EEEE d MMMM', locale='fr')}, matin (1 poste libre)"
    table = page.get_by_role(
        "table", name="Postes libres par demi-journée, pour les deux semaines à venir")
    assert table.get_by_role("cell", name="Fermé").count() == 4  # two weekends
    table.get_by_role("button", name=name).click()
    page.wait_for_url("**/account/bookings/*")
    assert page.get_by_role("heading", level=1).inner_text() == "Votre poste est réservé"
    calendar = page.get_by_role("link", name="Ajouter à mon agenda")
    assert calendar.get_attribute("href").endswith("/booking.ics")
    tab.assert_clean()
    tab.open(f"/gers/espaces/{space_id}")
    assert page.get_by_role("button", name=name).count() == 0
    with Session(instance.engine) as session:
        booking = session.exec(select(Booking).where(Booking.space_id == space_id)).one()
    assert (booking.day, booking.slot) == (day, "morning")
    tab.assert_clean()
