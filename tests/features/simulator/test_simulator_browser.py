"""The simulator in headless Chromium, JavaScript off: fill the form, read the side-by-side
result, share it by its address; no console error and no failed load."""

from __future__ import annotations

from browser_kit import Tab, browser, pytestmark, tab_without_javascript
from html_kit import squash

__all__ = ["browser", "pytestmark", "tab_without_javascript"]


def test_the_consultant_fills_the_form_and_shares_the_result(
        tab_without_javascript: Tab) -> None:
    tab = tab_without_javascript.page
    tab_without_javascript.open("/simulateur")
    tab.get_by_label("Département", exact=True).select_option("75")
    tab.get_by_label("Indépendant").check()
    tab.get_by_label("Minutes, aller simple").fill("45")
    tab.get_by_label("Jours par semaine").fill("5")
    tab.get_by_role("button", name="Simuler").click()
    tab.wait_for_url("**/simulateur?*commute_minutes_one_way=45*")
    table = tab.get_by_role("table", name="Estimation annuelle par avantage, côte à côte")
    totals = table.locator("tr.total td").all_inner_texts()
    assert totals == ["4\u202f590,60\u00a0€", "2\u202f240,60\u00a0€"]
    shared = tab.url
    tab.goto(shared)  # the address alone gives the same result
    assert tab.locator("tr.total td").all_inner_texts() == totals
    assert tab.get_by_label("Minutes, aller simple").input_value() == "45"
    tab_without_javascript.assert_clean()


def test_the_results_open_first_without_javascript(tab_without_javascript: Tab) -> None:
    tab = tab_without_javascript.page
    tab_without_javascript.open("/simulateur")
    tab.get_by_label("Commune ou code postal").fill("Bellême")
    tab.get_by_label("Minutes, aller simple").fill("30")
    tab.get_by_role("button", name="Simuler").click()
    tab.wait_for_url("**/simulateur?*#resultats")
    assert tab.evaluate("document.querySelector(':target').id") == "resultats"
    assert tab.evaluate("window.scrollY") > 0  # scrolled to the results, past the title
    top = tab.evaluate("document.getElementById('resultats').getBoundingClientRect().top")
    assert abs(top) < 50
    assert not tab.locator("details.simulator-edit").evaluate("d => d.open")
    assert "Départ de : Bellême, Orne (61)" in squash(tab.locator("#resultats").inner_text())
    tab_without_javascript.assert_clean()
