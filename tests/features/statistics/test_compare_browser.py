"""The comparison page in headless Chromium: no console error, no CSP violation, the SVG
charts drawn with their classes' colours, readable on a phone and on a laptop (text of
12 CSS px or more, no label cut off), and the page readable without JavaScript."""

from __future__ import annotations

import pytest
from browser_kit import Tab, browser, pytestmark, tab, tab_without_javascript

__all__ = ["browser", "pytestmark", "tab", "tab_without_javascript"]


@pytest.mark.parametrize("path", ["/comparer", "/compare?lang=en"])
def test_compare_page_is_clean_in_the_browser(tab: Tab, path: str) -> None:
    tab.open(path)
    assert tab.page.locator("h1").count() == 1
    assert tab.page.locator("svg[role=img]:visible").count() == 3  # the wide ones
    bar = tab.page.locator("svg[role=img] rect.series-1").first
    assert bar.evaluate("e => getComputedStyle(e).fill") == "rgb(179, 92, 0)"
    assert tab.page.locator("table#members_by_sector tbody tr").count() == 8
    tab.assert_clean()


def test_compare_page_without_javascript(tab_without_javascript: Tab) -> None:
    tab_without_javascript.open("/compare?lang=en&from=2010&to=2020")
    assert tab_without_javascript.page.locator("#from").input_value() == "2010"
    assert tab_without_javascript.page.locator("table#key-figures").is_visible()


# What each chart's text measures on screen, and whether its box is inside its chart's.
MEASURE_TEXT = """() => [...document.querySelectorAll('figure.chart svg[role=img]')]
  .filter(svg => svg.getBoundingClientRect().width > 0)
  .flatMap(svg => {
    const outer = svg.getBoundingClientRect();
    return [...svg.querySelectorAll('text')].map(text => {
      const box = text.getBoundingClientRect();
      return {text: text.textContent, height: parseFloat(getComputedStyle(text).fontSize)
                * outer.width / svg.viewBox.baseVal.width,
              inside: box.left >= outer.left - 0.5 && box.right <= outer.right + 0.5
                && box.top >= outer.top - 0.5 && box.bottom <= outer.bottom + 0.5};
    });
  })"""


@pytest.mark.parametrize(("width", "path"), [(390, "/comparer"), (320, "/compare?lang=en"),
                                             (1280, "/comparer"), (1280, "/compare?lang=en")])
def test_the_charts_are_readable_on_a_phone_and_a_laptop(
        tab_without_javascript: Tab, width: int, path: str) -> None:
    page = tab_without_javascript.page
    page.set_viewport_size({"width": width, "height": 800})
    tab_without_javascript.open(path)
    assert page.locator("figure.chart svg[role=img]:visible").count() == 3
    texts = page.evaluate(MEASURE_TEXT)
    assert len(texts) >= 3 * 2
    smallest = 12 if width >= 390 else 11.5  # a 320 px phone: 14 units at 0.9 px each
    assert not [t for t in texts if t["height"] < smallest], texts
    assert not [t for t in texts if not t["inside"]], texts
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    tab_without_javascript.assert_clean()
