"""The "Follow-up" section in a real browser (headless Chromium through Playwright, against
a live server with accounts): a staff member records a milestone and a service delivered by
filling the forms, and no page breaks the Content-Security-Policy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from accounts_kit import EMAILS, PASSWORD, populate
from browser_kit import CHROMIUM, CHROMIUM_ARGS, PATIENCE_MS, WATCH_CSP
from sqlmodel import Session, select

from campagne.app import create_app
from campagne.features.followup.models import Milestone
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit
from campagne.testing import served as serve_app

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"no Chromium at {CHROMIUM}"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A live server with the demo members and the accounts; yields its URL and the Gers
    member whose record the test opens (the demo's follow-up of that member removed)."""
    folder = tmp_path_factory.mktemp("followup-live")
    instance = RegionKit(folder).instance(reference_region_paths())
    gers_member, _ = populate(instance)
    with Session(instance.engine) as session:
        for milestone in session.exec(select(Milestone).where(
                Milestone.member_id == gers_member)):
            session.delete(milestone)
        session.commit()
    try:
        with serve_app(create_app(instance), "followup-live") as url:
            yield url, gers_member
    finally:
        instance.engine.dispose()


@pytest.fixture
def page(served: tuple[str, int]) -> Iterator[Any]:
    """A page in a fresh context, in English, watched for problems (the forms need no
    JavaScript; it stays on so that the CSP watcher runs)."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-GB")
        context.set_default_timeout(PATIENCE_MS)
        tab = context.new_page()
        tab.add_init_script(WATCH_CSP)
        problems: list[str] = []
        tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        tab.on("response", lambda r: problems.append(f"{r.status} {r.url}")
               if r.status >= 400 else None)
        tab.problems = problems
        yield tab
        browser.close()


def test_staff_record_follow_up_in_the_browser(page: Any, served: tuple[str, int]) -> None:
    base, member = served
    page.goto(f"{base}/account/sign-in?lang=en")
    page.get_by_label("E-mail address").fill(EMAILS["staff_gers"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")
    page.goto(f"{base}/gers/staff/members/{member}")
    section = page.locator("#follow-up")
    assert section.get_by_role("heading", name="Follow-up of the professional project")
    section.get_by_label("Project milestone").select_option("financing")
    section.get_by_label("Reached on").fill("2024-04-02")
    section.get_by_label("Advisor's note").fill("Prêt d'honneur accordé")
    section.get_by_role("button", name="Record the milestone").click()
    page.wait_for_url("**followup=saved#follow-up")
    assert page.get_by_role("status").inner_text() == "The follow-up is saved."
    row = page.get_by_role("row", name="Financing found")
    assert "Prêt d'honneur accordé" in row.inner_text()
    assert EMAILS["staff_gers"] in row.inner_text(), "the recording staff is the advisor"

    section = page.locator("#follow-up")
    section.get_by_label("Service delivered").select_option("financement")
    section.get_by_label("Delivered on").fill("2024-03-20")
    section.get_by_role("button", name="Record the service").click()
    page.wait_for_url("**followup=saved#follow-up")
    rows = page.get_by_role("table", name="Services delivered to this member").get_by_role(
        "row").filter(has_text=re.compile(r"March 20, 2024|20 March 2024"))
    assert rows.count() == 1

    section = page.locator("#follow-up")
    section.get_by_label("Project milestone").select_option("financing")
    section.get_by_label("Reached on").fill("2024-04-03")
    section.get_by_role("button", name="Record the milestone").click()
    page.wait_for_url("**followup=duplicate#follow-up")
    assert "already recorded" in page.get_by_role("alert").inner_text()
    assert page.evaluate("window.__cspViolations") == []
    assert page.problems == []
