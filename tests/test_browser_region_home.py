"""The region's home in a real browser, on a phone and on a laptop: one title, the image
loaded at its reserved size, no sideways scroll down to 320 pixels, the region's font
declared, and the calls to action there without JavaScript."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_kit import Tab, browser, open_tab, pytestmark

__all__ = ["browser", "pytestmark"]

VIEWPORTS = [(390, 844), (1366, 900)]


@pytest.fixture
def home_tab(browser: Any, live_server: str) -> Iterator[Tab]:
    """A fresh tab in French, watched for errors."""
    yield from open_tab(browser, live_server)


def _overflow(tab: Tab) -> int:
    """How far the page reaches past the window's width, in CSS pixels."""
    width: int = tab.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    return width


@pytest.mark.parametrize("slug", ["gers", "orne"])
def test_the_home_fits_each_screen_with_its_image_and_one_title(home_tab: Tab,
                                                                slug: str) -> None:
    page = home_tab.page
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        home_tab.open(f"/{slug}/")
        assert page.locator("h1").count() == 1
        image = page.locator("img.hero-image")
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        box = image.bounding_box()
        assert box is not None and box["width"] <= width and box["height"] > 100
        assert _overflow(home_tab) == 0, (slug, width)
        assert page.locator(".hero-actions a").count() == 2
        assert page.locator(".home-blocks section h2").count() == 2
        home_tab.assert_clean()
    page.set_viewport_size({"width": 320, "height": 640})
    home_tab.open(f"/{slug}/")
    assert _overflow(home_tab) == 0, (slug, 320)
    family = page.locator("h1").evaluate("h => getComputedStyle(h).fontFamily")
    assert family.startswith("Fraunces" if slug == "gers" else "Bitter")
    home_tab.assert_clean()


def test_the_two_regions_are_composed_differently(home_tab: Tab) -> None:
    page = home_tab.page
    page.set_viewport_size({"width": 1366, "height": 900})
    places = {}
    for slug in ("gers", "orne"):
        home_tab.open(f"/{slug}/")
        title = page.locator(".hero-text").bounding_box()
        image = page.locator("img.hero-image").bounding_box()
        assert title is not None and image is not None
        places[slug] = (title, image)
    gers_title, gers_image = places["gers"]
    orne_title, orne_image = places["orne"]
    # Gers: the title's band lies over the full-width image; Orne: the title beside it.
    assert gers_image["width"] >= 1300
    assert gers_image["y"] < gers_title["y"] < gers_image["y"] + gers_image["height"]
    assert orne_title["x"] + orne_title["width"] <= orne_image["x"]


def test_the_calls_to_action_work_without_javascript(browser: Any, live_server: str) -> None:
    for tab in open_tab(browser, live_server, javascript=False):
        tab.page.set_viewport_size({"width": 390, "height": 844})
        tab.open("/orne/")
        tab.page.locator(".hero-actions").get_by_role("link", name="Envoyer une demande").click()
        tab.page.wait_for_load_state()
        assert tab.page.url.endswith("/orne/candidater")
        tab.open("/orne/")
        tab.page.locator(".hero-actions").get_by_role("link",
                                                       name="Simuler mon installation").click()
        tab.page.wait_for_load_state()
        assert tab.page.url.endswith("/orne/simulateur")
        tab.assert_clean()
