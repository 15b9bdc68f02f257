"""Pages in a real browser for the tests: headless Chromium (Debian's, or the one named by
CAMPAGNE_CHROMIUM) driven by Playwright against a live server, each page watched for console
errors, failed loads and Content-Security-Policy violations.

A browser test module takes ``pytestmark`` and the fixtures it needs from here (the
executable itself comes from the ``chromium`` fixture of Campagne's pytest plug-in)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from campagne.testing_plugin import chromium_path

CHROMIUM = chromium_path()
# How long a page action may take before the test fails. It only stops a hung page from
# hanging the run: on a busy 2-core machine a page that loads in 0.2 s alone took over 10 s.
PATIENCE_MS = 120_000
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
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
def browser(chromium: Path) -> Iterator[Any]:
    """Headless Chromium, for the module."""
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def open_tab(browser: Any, live_server: str, *, javascript: bool = True) -> Iterator[Tab]:
    """A fresh browser context on ``live_server`` (French, no cookie), watched for errors."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900},
                                  java_script_enabled=javascript)
    context.set_default_timeout(PATIENCE_MS)
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
    yield from open_tab(browser, live_server)


@pytest.fixture
def tab_without_javascript(browser: Any, live_server: str) -> Iterator[Tab]:
    """The same, with JavaScript turned off."""
    yield from open_tab(browser, live_server, javascript=False)
