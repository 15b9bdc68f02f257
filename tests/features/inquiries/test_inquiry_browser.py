"""The inquiry form in a real browser (headless Chromium, as in test_browser.py): reached from
a simulator result, filled by its labels, sent, and confirmed; the honeypot stays off
screen; no console error and no Content-Security-Policy violation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from browser_kit import CHROMIUM, CHROMIUM_ARGS, PATIENCE_MS, WATCH_CSP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"no Chromium at {CHROMIUM}"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")


@pytest.fixture
def page(live_server: str) -> Iterator[tuple[Any, list[str]]]:
    """A fresh French page of headless Chromium, and what went wrong on it."""
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        context = browser.new_context(locale="fr-FR", base_url=live_server)
        context.set_default_timeout(PATIENCE_MS)
        tab = context.new_page()
        tab.add_init_script(WATCH_CSP)
        tab.on("console", lambda message: problems.append(message.text)
               if message.type in {"error", "warning"} else None)
        tab.on("pageerror", lambda error: problems.append(str(error)))
        try:
            yield tab, problems
        finally:
            browser.close()


def test_fill_send_and_see_the_confirmation(page: tuple[Any, list[str]]) -> None:
    tab, problems = page
    tab.goto("/gers/simulateur?status=founder&sector=communication_design"
             "&origin_department=69")
    tab.get_by_role("link", name="Envoyer une demande à Soho Solo Gers").click()
    tab.wait_for_url(re.compile(r".*/gers/candidater\?status=founder.*"))
    assert tab.get_by_label("Créateur d’entreprise").is_checked()
    assert tab.get_by_label("Secteur").input_value() == "communication_design"
    assert tab.get_by_label("Département (code Insee, par exemple 75)").input_value() == "69"
    # the honeypot is in the page, but off screen
    box = tab.locator(".hp-field").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 0
    tab.get_by_label("Prénom").fill("Lou")
    tab.get_by_label("Nom", exact=True).fill("Barthe")
    tab.get_by_label("Adresse électronique").fill("lou@example.org")
    tab.get_by_label("D’ici un an").check()
    tab.get_by_label("Votre message (facultatif)").fill("Nous cherchons une maison.")
    tab.get_by_label(re.compile("^J’accepte que l’équipe du programme")).check()
    tab.get_by_role("button", name="Envoyer ma demande").click()
    tab.wait_for_url("**/gers/candidater/merci?mail=queued")
    assert tab.get_by_role("heading", level=1).inner_text() == "Merci, votre demande est envoyée"
    assert "Un accusé de réception part vers l’adresse électronique" in tab.get_by_role(
        "status").inner_text()
    assert tab.evaluate("window.__cspViolations") == []
    assert not problems, problems


def test_errors_lead_to_their_field(page: tuple[Any, list[str]]) -> None:
    tab, _ = page
    tab.goto("/orne/candidater")
    tab.get_by_label("Prénom").fill("Lou")
    tab.get_by_role("button", name="Envoyer ma demande").click()
    tab.wait_for_load_state()
    summary = tab.locator(".errors")
    assert summary.is_visible()
    summary.get_by_role("link").filter(has_text="Adresse électronique").click()
    assert tab.evaluate("document.activeElement.id") == "email"
    assert tab.get_by_label("Prénom").input_value() == "Lou"
    assert tab.evaluate("window.__cspViolations") == []
