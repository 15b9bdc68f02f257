"""The pages in a real browser: headless Chromium (Debian's) driven by Playwright against a
live server. No console error, no Content-Security-Policy violation, the language switch and
the category filter work by clicking, and a screenshot can be taken."""

from __future__ import annotations

import struct
from pathlib import Path

from browser_kit import Tab, browser, pytestmark, tab, tab_without_javascript

__all__ = ["browser", "pytestmark", "tab", "tab_without_javascript"]

PAGES = ["/", "/gers/", "/orne/", "/gers/services", "/gers/services/comite-accueil",
         "/orne/services/telecentre-belleme"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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


def test_the_menu_folds_on_a_phone_and_opens_without_javascript(
        tab_without_javascript: Tab) -> None:
    tab = tab_without_javascript
    page = tab.page
    page.set_viewport_size({"width": 320, "height": 640})
    tab.open("/gers/")
    menu = page.get_by_role("navigation", name="Menu principal")
    summary = page.locator("header summary")
    assert summary.inner_text() == "Menu"
    assert not menu.is_visible() and not page.get_by_role("link", name="English").is_visible()
    summary.focus()  # reached by the keyboard, opened by it
    page.keyboard.press("Enter")
    assert menu.is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Tous les départements"
    menu.get_by_role("link", name="Services").click()
    page.wait_for_url("**/gers/services")
    # on a laptop the menus are shown as they are, with no disclosure to open
    page.set_viewport_size({"width": 1280, "height": 800})
    assert not summary.is_visible()
    assert menu.is_visible() and page.get_by_role("link", name="English").is_visible()
    page.keyboard.press("Tab")  # the skip link, then the brand, then the menu's first link
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Tous les départements"
    # and a screen reader finds them too (the browser's own accessibility tree), not the
    # summary hidden from the screen
    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    exposed = {(node["role"]["value"], node.get("name", {}).get("value")) for node in tree
               if not node.get("ignored")}
    assert {("navigation", "Menu principal"), ("link", "Services"), ("link", "English")} \
        <= exposed
    assert ("DisclosureTriangle", "Menu") not in exposed
    tab.assert_clean()
