"""The simulator in headless Chromium, JavaScript off: fill the form, read the side-by-side
result, share it by its address; no console error and no CSP violation."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CAMPAGNE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"no Chromium at {CHROMIUM}"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")


@pytest.fixture
def page(live_server: str) -> Iterator[tuple[Any, list[str]]]:
    """A French page with JavaScript off, and the problems seen on it."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        context = browser.new_context(locale="fr-FR", java_script_enabled=False,
                                      base_url=live_server)
        context.set_default_timeout(10_000)
        tab = context.new_page()
        tab.add_init_script(WATCH_CSP)
        problems: list[str] = []
        tab.on("console", lambda m: problems.append(m.text) if m.type in {"error", "warning"}
               else None)
        tab.on("response", lambda r: problems.append(f"{r.status} {r.url}")
               if r.status >= 400 else None)
        yield tab, problems
        browser.close()


def test_the_consultant_fills_the_form_and_shares_the_result(
        page: tuple[Any, list[str]]) -> None:
    tab, problems = page
    tab.goto("/simulateur")
    tab.get_by_label("Département (code Insee)").select_option("75")
    tab.get_by_label("Indépendant").check()
    tab.get_by_label("Minutes, aller simple").fill("45")
    tab.get_by_label("Jours par semaine").fill("5")
    tab.get_by_role("button", name="Simuler").click()
    tab.wait_for_url("**/simulateur?*commute_minutes_one_way=45*")
    table = tab.get_by_role("table", name="Estimation annuelle par plug-in, côte à côte")
    totals = table.locator("tr.total td").all_inner_texts()
    assert totals == ["4\u202f590,60\u00a0€", "2\u202f240,60\u00a0€"]
    shared = tab.url
    tab.goto(shared)
    assert tab.locator("tr.total td").all_inner_texts() == totals
    assert tab.get_by_label("Minutes, aller simple").input_value() == "45"
    assert not problems and not tab.evaluate("window.__cspViolations || []")
