"""The pages in a real browser: headless Chromium (Debian's) driven by Playwright against a
live server. No console error, no Content-Security-Policy violation, the language switch and
the category filter work by clicking, and a screenshot can be taken."""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CAMPAGNE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGES = ["/", "/gers/", "/orne/", "/gers/services", "/gers/services/comite-accueil",
         "/orne/services/telecentre-belleme"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Collects what the page's CSP refuses; injected by the browser, so the CSP does not apply.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.is_file(),
                       reason=f"no Chromium at {CHROMIUM} (install Debian's chromium, "
                              "or set CAMPAGNE_CHROMIUM to a Chromium executable)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")


@dataclass
class Tab:
    """A browser page and what went wrong on it."""

    page: Any
    base: str
    problems: list[str] = field(default_factory=list)

    def open(self, path: str) -> Any:
        """Go to ``path`` on the live server and wait until it is loaded."""
        answer = self.page.goto(self.base + path, wait_until="load")
        assert answer is not None and answer.status == 200, (path, answer and answer.status)
        return answer

    def csp_violations(self) -> list[str]:
        """What the Content-Security-Policy blocked on the current page."""
        found: list[str] = self.page.evaluate("window.__cspViolations || []")
        return found

    def assert_clean(self) -> None:
        """No console error or warning, no script error, no failed load, no CSP violation."""
        assert not self.problems, self.problems
        assert not self.csp_violations()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium, for the module."""
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _tab(browser: Any, live_server: str, *, javascript: bool = True) -> Iterator[Tab]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900},
                                  java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    page = context.new_page()
    tab = Tab(page, live_server)
    page.add_init_script(WATCH_CSP)
    page.on("console", lambda message: tab.problems.append(
        f"console {message.type}: {message.text}") if message.type in {"error", "warning"}
        else None)
    page.on("pageerror", lambda error: tab.problems.append(f"page error: {error}"))
    # A request the browser abandons because the page navigated away (a form sent while the
    # logo loads) fails with net::ERR_ABORTED: not a fault of the page.
    page.on("requestfailed", lambda request: tab.problems.append(
        f"failed: {request.url} {request.failure}")
        if "ERR_ABORTED" not in (request.failure or "") else None)
    page.on("response", lambda response: tab.problems.append(
        f"{response.status}: {response.url}") if response.status >= 400 else None)
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def tab(browser: Any, live_server: str) -> Iterator[Tab]:
    """A fresh browser context (no cookie) in French, watched for errors."""
    yield from _tab(browser, live_server)


@pytest.fixture
def tab_without_javascript(browser: Any, live_server: str) -> Iterator[Tab]:
    """The same, with JavaScript turned off."""
    yield from _tab(browser, live_server, javascript=False)


def _lang(tab: Tab) -> str:
    value: str = tab.page.evaluate("document.documentElement.lang")
    return value


def test_pages_render_without_errors_or_csp_violations(tab: Tab) -> None:
    for path in PAGES:
        tab.open(path)
        assert tab.page.locator("h1").count() == 1, path
        assert _lang(tab) == "fr", path
        tab.assert_clean()
    # the style sheets were applied (the CSP lets same-origin sheets through)
    tab.open("/gers/")
    header = tab.page.locator("header.site-header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(122, 35, 49)"
    assert tab.page.locator(".badge.illustrative").first.evaluate(
        "e => getComputedStyle(e).display") == "inline-block"
    tab.assert_clean()


def test_the_404_page_is_an_html_page_in_the_browser(tab: Tab) -> None:
    answer = tab.page.goto(tab.base + "/nowhere/")
    assert answer is not None and answer.status == 404
    assert tab.page.locator("h1").inner_text() == "Page introuvable"
    assert not tab.csp_violations()


def test_clicking_english_switches_the_language_and_it_persists(tab: Tab) -> None:
    tab.open("/gers/")
    assert tab.page.get_by_role("heading", name="Chiffres clés").is_visible()
    tab.page.get_by_role("link", name="English").click()
    tab.page.wait_for_url("**/gers/?lang=en")
    assert _lang(tab) == "en"
    assert tab.page.get_by_role("heading", name="Key figures").is_visible()
    # the next page, reached by a plain link without ?lang=, stays in English
    tab.page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Services").click()
    tab.page.wait_for_url("**/gers/services")
    assert _lang(tab) == "en"
    assert tab.page.get_by_role("button", name="Filter").is_visible()
    assert tab.page.get_by_label("Category").is_visible()
    # and back to French
    tab.page.get_by_role("link", name="Français").click()
    tab.page.wait_for_url("**/gers/services?lang=fr")
    assert _lang(tab) == "fr"
    assert tab.page.get_by_role("button", name="Filtrer").is_visible()
    tab.assert_clean()


def test_category_filter_form_works_without_javascript(tab_without_javascript: Tab) -> None:
    tab = tab_without_javascript
    tab.open("/orne/services")
    assert tab.page.locator("li.card").count() == 9
    tab.page.get_by_label("Catégorie").select_option("office_access")
    tab.page.get_by_role("button", name="Filtrer").click()
    tab.page.wait_for_url("**/orne/services?category=office_access")
    titles = tab.page.locator("li.card h2").all_inner_texts()
    assert titles == ["Télécentre de Bellême", "Télécentre de Boitron"]
    assert tab.page.get_by_label("Catégorie").input_value() == "office_access"
    tab.page.get_by_label("Catégorie").select_option("")
    tab.page.get_by_role("button", name="Filtrer").click()
    tab.page.wait_for_url("**/orne/services?category=")
    assert tab.page.locator("li.card").count() == 9
    assert not tab.problems


def test_skip_link_is_the_first_stop_of_the_keyboard(tab: Tab) -> None:
    tab.open("/gers/")
    tab.page.keyboard.press("Tab")
    focused = tab.page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert tab.page.locator(".skip-link").is_visible()
    tab.page.keyboard.press("Enter")
    assert tab.page.evaluate("document.activeElement.id") == "content"


def test_screenshot_of_the_gers_home(tab: Tab, tmp_path: Path) -> None:
    tab.open("/gers/")
    shot = tmp_path / "gers.png"
    tab.page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert width == 1280 and height > 900
    assert len(data) > 10_000
