"""The comparison page in headless Chromium: no console error, no CSP violation, the SVG
charts drawn with their classes' colours, and the page readable without JavaScript."""

from __future__ import annotations

import pytest
from browser_kit import Tab, browser, pytestmark, tab, tab_without_javascript

__all__ = ["browser", "pytestmark", "tab", "tab_without_javascript"]


@pytest.mark.parametrize("path", ["/comparer", "/compare?lang=en"])
def test_compare_page_is_clean_in_the_browser(tab: Tab, path: str) -> None:
    tab.open(path)
    assert tab.page.locator("h1").count() == 1
    assert tab.page.locator("svg[role=img]").count() == 3
    bar = tab.page.locator("svg[role=img] rect.series-1").first
    assert bar.evaluate("e => getComputedStyle(e).fill") == "rgb(179, 92, 0)"
    assert tab.page.locator("table#members_by_sector tbody tr").count() == 8
    tab.assert_clean()


def test_compare_page_without_javascript(tab_without_javascript: Tab) -> None:
    tab_without_javascript.open("/compare?lang=en&from=2010&to=2020")
    assert tab_without_javascript.page.locator("#from").input_value() == "2010"
    assert tab_without_javascript.page.locator("table#key-figures").is_visible()
