"""The hub's trends page in headless Chromium: no console error, no CSP violation, the lines
drawn with their classes' colours and dash patterns, and the form usable without JavaScript."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_kit import Tab, browser, pytestmark, tab, tab_without_javascript
from hub_trends_kit import DAYS, served_seeded_hub

__all__ = ["browser", "pytestmark", "tab", "tab_without_javascript"]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A seeded hub (SQLite) behind a real HTTP server on a free loopback port."""
    with served_seeded_hub(tmp_path_factory.mktemp("hub-live"), "live-hub") as base:
        yield base


def test_trends_page_is_clean_in_the_browser(tab: Tab, tmp_path: Path) -> None:
    tab.open("/tendances")
    page = tab.page
    assert page.locator("h1").count() == 1
    chart = page.locator("figure svg[role=img]")
    assert chart.count() == 1 and chart.get_attribute("aria-labelledby") == (
        "trend-title trend-desc")
    gers, orne = page.locator("svg[role=img] path.trend-line.stroke-0").first, \
        page.locator("svg[role=img] path.trend-line.stroke-1").first
    assert gers.evaluate("e => getComputedStyle(e).stroke") == "rgb(29, 78, 137)"
    assert orne.evaluate("e => getComputedStyle(e).stroke") == "rgb(179, 92, 0)"
    assert gers.evaluate("e => getComputedStyle(e).strokeDasharray") == "none"
    assert orne.evaluate("e => getComputedStyle(e).strokeDasharray") != "none"
    assert gers.evaluate("e => getComputedStyle(e).fill") == "none"
    box = chart.bounding_box()
    assert box is not None and box["width"] > 400 and box["height"] > 150
    assert page.locator("table#trend-table tbody tr").count() == len(DAYS)
    shot = tmp_path / "hub-trends.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    tab.assert_clean()


def test_trends_form_works_without_javascript(tab_without_javascript: Tab) -> None:
    tab = tab_without_javascript
    tab.open("/trends?lang=en")
    tab.page.select_option("#indicator", "desk_occupancy")
    tab.page.fill("#since", DAYS[1].isoformat())
    tab.page.click("button[type=submit]")
    tab.page.wait_for_load_state("load")
    assert "indicator=desk_occupancy" in tab.page.url
    assert tab.page.locator("#indicator").input_value() == "desk_occupancy"
    assert tab.page.locator("table#trend-table tbody tr").count() == len(DAYS) - 1
    assert tab.page.locator("#trend-title").text_content() == "Desk occupancy"
