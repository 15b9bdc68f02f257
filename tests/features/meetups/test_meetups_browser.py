"""A guest signs up for a meetup in headless Chromium (JavaScript off, as the pages must
work without it): from the menu to the listing, the meetup's page, the form, and the answer
(a confirmed place, then a place on the waiting list for the next guest)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_kit import Tab, browser, pytestmark
from browser_kit import open_tab as _tab
from meetups_kit import serve
from sqlmodel import Session, select

from campagne.demo import generate_region_demo
from campagne.features.meetups.models import Meetup
from campagne.models import Region
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit

__all__ = ["browser", "pytestmark"]


@pytest.fixture(scope="module")
def meetup_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The reference regions with one Gers meetup of a single place, served by uvicorn."""
    folder: Path = tmp_path_factory.mktemp("meetups-browser")
    instance = RegionKit(folder).instance(reference_region_paths())
    with Session(instance.engine) as session:
        gers = session.exec(select(Region).where(Region.slug == "gers")).one()
        generate_region_demo(instance, session, gers)
        start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=12)).replace(
            hour=16, minute=30, second=0, microsecond=0)
        assert gers.id is not None
        session.add(Meetup(region_id=gers.id, uid=f"{uuid.uuid4().hex}@test.invalid",
                           title="Atelier d’essai", theme="Prospection",
                           starts_at=start, ends_at=start + dt.timedelta(hours=2),
                           place="La Dynamo, Auch", capacity=1))
        session.commit()
    with serve(instance) as url:
        yield url
    instance.engine.dispose()


@pytest.fixture
def guest_tab(browser: Any, meetup_server: str) -> Iterator[Tab]:
    """A fresh French browser context without JavaScript."""
    yield from _tab(browser, meetup_server, javascript=False)


def _sign_up(tab: Tab, name: str, email: str) -> str:
    """Go from the region's home to the meetup and sign up; return the answer's text."""
    page = tab.page
    tab.open("/gers/")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Rencontres").click()
    page.wait_for_url("**/gers/rencontres")
    page.get_by_role("link", name="Atelier d’essai").click()
    page.wait_for_url("**/gers/rencontres/*")
    trap = page.get_by_label("Laissez ce champ vide")  # for robots: off screen, not tabbable
    assert trap.evaluate("e => e.getBoundingClientRect().right") <= 0
    assert trap.get_attribute("tabindex") == "-1"
    page.get_by_label("Votre nom").fill(name)
    page.get_by_label("Votre adresse électronique").fill(email)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url("**/inscription?r=*")
    text: str = page.locator("#sign-up-result").inner_text()
    tab.assert_clean()
    return text


def test_a_guest_signs_up_and_sees_the_answer(guest_tab: Tab, browser: Any,
                                              meetup_server: str) -> None:
    first = _sign_up(guest_tab, "Camille Essai", "camille@example.org")
    assert first.strip() == "Votre place est confirmée."
    for tab in _tab(browser, meetup_server, javascript=False):
        tab.open("/gers/rencontres")
        assert "Complet" in tab.page.locator("main").inner_text()
        second = _sign_up(tab, "Dominique Essai", "dominique@example.org")
        assert "rang 1 sur la liste d'attente" in second
        page_text = tab.page.locator("main").inner_text()
        assert "Camille" not in page_text
