"""A member books a desk in a real browser (Debian's Chromium, headless) and cancels it:
sign in, open the region's spaces, book, see the booking on the account page, cancel.
No console error and no Content-Security-Policy violation on the way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from accounts_kit import EMAILS, PASSWORD, populate
from browser_kit import CHROMIUM, CHROMIUM_ARGS, PATIENCE_MS, WATCH_CSP, pytestmark, sync_api
from spaces_kit import threaded_server
from sqlmodel import Session, select

from campagne.features.spaces.bookings import today
from campagne.features.spaces.models import Booking, Space
from campagne.models import Region
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit

__all__ = ["pytestmark"]
SPACE_NAME = "Télécentre du navigateur"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """The reference regions with accounts and a one-desk Gers space, behind uvicorn."""
    instance = RegionKit(tmp_path).instance(reference_region_paths())
    populate(instance)
    with Session(instance.engine) as session:
        gers = session.exec(select(Region).where(Region.slug == "gers")).one()
        assert gers.id is not None
        session.add(Space(region_id=gers.id, name=SPACE_NAME, commune="Auch", seats=1,
                          broadband_mbps=100, opening_hours="lun.-ven. 9 h - 18 h"))
        session.commit()
    try:
        with threaded_server(instance) as base:
            yield base, instance
    finally:
        instance.engine.dispose()


def test_member_books_a_desk_and_cancels_it(served: tuple[str, Any]) -> None:
    base, instance = served
    day = today() + dt.timedelta(days=3)
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        context = browser.new_context(locale="fr-FR")
        context.set_default_timeout(PATIENCE_MS)
        page = context.new_page()
        page.add_init_script(WATCH_CSP)
        page.on("console", lambda m: problems.append(m.text) if m.type in {
            "error", "warning"} else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(f"{base}/account/sign-in")
        page.get_by_label("Adresse électronique").fill(EMAILS["member"])
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/account/")
        page.goto(f"{base}/gers/")
        page.get_by_role("navigation", name="Menu principal").get_by_role(
            "link", name="Espaces de travail").click()
        page.wait_for_url("**/gers/espaces")
        page.get_by_role("link", name=SPACE_NAME).click()
        assert page.get_by_role("heading", name=SPACE_NAME).is_visible()
        assert page.get_by_role("table").locator("tbody tr").count() == 14
        page.get_by_label("Jour", exact=True).fill(day.isoformat())
        page.get_by_label("Quand").select_option("day")
        page.get_by_role("button", name="Réserver", exact=True).click()
        page.wait_for_url("**/account/bookings/*")  # the booking's own confirmation page
        assert page.get_by_role("heading", name="Votre poste est réservé").is_visible()
        page.get_by_role("link", name="Mes réservations de poste").click()
        page.wait_for_url("**/account/*")
        row = page.locator("table.bookings tbody tr").filter(has_text=SPACE_NAME)
        assert row.count() == 1 and "Journée entière" in row.inner_text()
        assert "Confirmée" in row.inner_text()
        # the desk is taken: the space page shows no seat left that day
        page.get_by_role("link", name=SPACE_NAME).click()
        day_row = page.locator("tbody tr").nth((day - today()).days)
        assert day_row.locator("td").all_inner_texts() == ["0", "0", "—"]
        page.go_back()
        row.get_by_role("button", name="Annuler cette réservation").click()
        page.wait_for_url("**/account/*")
        row = page.locator("table.bookings tbody tr").filter(has_text=SPACE_NAME)
        assert "Annulée" in row.inner_text()
        assert not page.evaluate("window.__cspViolations || []")
        context.close()
        browser.close()
    assert not problems, problems
    with Session(instance.engine) as session:
        booking = session.exec(select(Booking)).all()
        mine = [b for b in booking if b.day == day and b.cancelled_at is not None]
        assert len(mine) == 1
