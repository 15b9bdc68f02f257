"""The hub's public pages in headless Chromium, as the instance's pages are measured: no axe-core
violation at 1366×900 and 390×844, no sideways scroll at 320 px, one h1, ``lang``, a title."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_kit import VIEWPORTS, axe_script, describe, violations
from browser_kit import Tab, browser, pytestmark, tab
from hub_trends_kit import served_seeded_hub

__all__ = ["axe_script", "browser", "pytestmark", "tab"]

PAGES = ["/", "/comparer", "/compare?lang=en", "/tendances", "/trends?lang=en"]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A seeded hub (SQLite) behind a real HTTP server on a free loopback port."""
    with served_seeded_hub(tmp_path_factory.mktemp("hub-pages"), "hub-pages") as base:
        yield base


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("path", PAGES)
def test_hub_page_has_no_axe_violation(tab: Tab, axe_script: Path, path: str,
                                       viewport: str) -> None:
    tab.page.set_viewport_size(VIEWPORTS[viewport])
    tab.open(path)
    page = tab.page
    assert page.locator("h1").count() == 1, path
    assert page.evaluate("document.documentElement.lang") in ("fr", "en"), path
    assert page.title().strip(), path
    found = violations(page, axe_script.read_text(encoding="utf-8"))
    assert not found, f"{path} at {viewport}:\n" + describe(found)


@pytest.mark.parametrize("path", PAGES)
def test_hub_page_does_not_scroll_sideways_on_a_phone(tab: Tab, path: str) -> None:
    tab.page.set_viewport_size({"width": 320, "height": 640})
    tab.open(path)
    assert tab.page.evaluate("document.documentElement.scrollWidth") <= 320, path
