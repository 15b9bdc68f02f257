"""Screenshots of the main pages of the demo, at a desktop (1366×900) and a phone (390×844)
viewport, into ``docs/screenshots/`` (what the README shows).

Starts ``campagne demo`` on a free loopback port (SQLite, in a temporary folder), creates a
staff account of the Gers for the staff page, and drives headless Chromium with Playwright
(the ``test`` extra installs it).

    python scripts/screenshots.py [--out FOLDER] [--chromium PATH]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fuzz_api import ENVIRONMENT, STAFF_EMAIL, STAFF_PASSWORD, campagne, demo_server

ROOT = Path(__file__).resolve().parent.parent
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
TO_THE_TOP = "element => element.scrollIntoView({block: 'start'})"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass(frozen=True)
class Shot:
    """A page to photograph: its file name, address, whether staff opens it, and what to
    bring into view first (a CSS selector), if not the top of the page."""

    name: str
    path: str
    staff: bool = False
    submit: str | None = None
    scroll_to: str | None = None


SHOTS = [
    Shot("home", "/"),
    Shot("gers", "/gers/"),
    Shot("orne", "/orne/"),
    Shot("simulator", "/simulateur", submit="form.simulator-form button[type=submit]",
         scroll_to="main h2"),
    Shot("inquiry", "/gers/candidater"),
    Shot("compare", "/comparer"),
    Shot("staff-pipeline", "/gers/staff/pipeline", staff=True),
]


def create_staff(database_url: str, folder: Path) -> None:
    """The staff account of the Gers that opens the staff pages."""
    subprocess.run(
        [campagne(), "users", "create", STAFF_EMAIL, "--role", "staff", "--region", "gers",
         "--password-stdin", "--db", database_url],
        input=STAFF_PASSWORD.encode(), cwd=folder, env={**os.environ, **ENVIRONMENT},
        check=True, capture_output=True)


def sign_in(context: Any, base: str) -> None:
    """Sign the browser context in as the staff account, through the form."""
    token = CSRF.search(context.request.get(f"{base}/account/sign-in").text())
    if token is None:
        raise SystemExit("no CSRF token on the sign-in form")
    answer = context.request.post(f"{base}/account/sign-in", max_redirects=0, form={
        "csrf": token.group(1), "email": STAFF_EMAIL, "password": STAFF_PASSWORD})
    if answer.status != 303:
        raise SystemExit(f"signing in answered {answer.status}")


def photograph(browser: Any, base: str, out: Path) -> list[Path]:
    """Every shot at every viewport; return the files written."""
    written = []
    for viewport, size in VIEWPORTS.items():
        visitor = browser.new_context(locale="fr-FR", viewport=size)
        staff = browser.new_context(locale="fr-FR", viewport=size)
        sign_in(staff, base)
        for shot in SHOTS:
            page = (staff if shot.staff else visitor).new_page()
            answer = page.goto(base + shot.path, wait_until="load")
            if answer is None or answer.status != 200:
                raise SystemExit(f"{shot.path} answered {answer and answer.status}")
            if shot.submit:
                with page.expect_navigation(wait_until="load"):
                    page.locator(shot.submit).first.click()
            if shot.scroll_to:
                page.locator(shot.scroll_to).first.evaluate(TO_THE_TOP)
            target = out / f"{shot.name}-{viewport}.png"
            page.screenshot(path=str(target), animations="disabled", caret="hide")
            written.append(target)
            page.close()
        visitor.close()
        staff.close()
    return written


def main() -> int:
    """Start the demo, take the screenshots, print each file and its size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", default=os.environ.get("CAMPAGNE_CHROMIUM",
                                                             "/usr/bin/chromium"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="campagne-screenshots-") as name:
        folder = Path(name)
        database_url = f"sqlite:///{folder / 'demo.db'}"
        with demo_server(database_url, folder) as base, sync_playwright() as playwright:
            create_staff(database_url, folder)
            browser = playwright.chromium.launch(
                executable_path=args.chromium, headless=True, args=["--no-sandbox"])
            try:
                written = photograph(browser, base, args.out)
            finally:
                browser.close()
    for path in written:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
              f"  {path.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
