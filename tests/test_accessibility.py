"""Every page, public and staff, measured in headless Chromium with axe-core at a desktop
(1366×900) and a phone (390×844) viewport: no violation of WCAG 2 A/AA nor of axe's best
practices, one ``h1``, a ``lang`` and a title.

axe-core comes from the npm registry (``package.json``, installed by ``npm ci``, as
``.ci/run`` does); the tests read ``axe.min.js`` from ``CAMPAGNE_TEST_AXE`` or from
``node_modules/axe-core/``. Without it they skip, unless ``CAMPAGNE_TEST_REQUIRE_BROWSER=1``
(CI), where they fail.

The pages come from the application's GET routes: each is in ``PAGES`` (measured) or in
``EXCLUDED`` (with the reason), and a test checks that no route is in neither."""

from __future__ import annotations

import datetime as dt
import re
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matrix_kit
import pytest
from accounts_kit import EMAILS, PASSWORD, book_for_the_member, populated_sqlite_copy
from axe_kit import VIEWPORTS, axe_script, describe, violations
from browser_kit import CHROMIUM_ARGS, PATIENCE_MS, pytestmark, sync_api
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from campagne.app import create_app
from campagne.features.meetups.models import Meetup
from campagne.features.spaces.models import Space
from campagne.models import Member, Region, Service
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit, served

__all__ = ["axe_script", "pytestmark"]

REGIONS = ("gers", "orne")

# Who opens the pages under a prefix (the rest are opened anonymously).
ROLE_BY_PREFIX = {"/account/": "member", "/admin/": "admin", "/{slug}/staff/": "staff_gers"}
# Measured pages: public ones of a region in each reference region, staff ones in the Gers.
PAGES = [
    "/", "/simulateur", "/comparer",
    "/account/sign-in", "/account/set-password", "/account/reset",
    "/account/", "/account/notifications", "/account/meetups", "/account/erasure",
    "/account/bookings/{booking_id}",
    "/admin/users", "/admin/audit", "/admin/outbox", "/admin/jobs",
    "/{slug}/", "/{slug}/services", "/{slug}/services/{service}", "/{slug}/privacy",
    "/{slug}/espaces", "/{slug}/espaces/{space_id}", "/{slug}/simulateur",
    "/{slug}/candidater", "/{slug}/candidater/merci",
    "/{slug}/rencontres", "/{slug}/rencontres/annulation", "/{slug}/rencontres/{event_id:int}",
    "/{slug}/rencontres/{event_id:int}/inscription",
    "/{slug}/newsletters/unsubscribe",
    "/{slug}/staff/", "/{slug}/staff/members", "/{slug}/staff/members/{member_id}",
    "/{slug}/staff/outbox", "/{slug}/staff/spaces", "/{slug}/staff/spaces/{space_id}",
    "/{slug}/staff/pipeline", "/{slug}/staff/pipeline/{stage_key}",
    "/{slug}/staff/inquiries/{inquiry_id}", "/{slug}/staff/import",
    "/{slug}/staff/meetups", "/{slug}/staff/meetups/new", "/{slug}/staff/meetups/{event_id}",
    "/{slug}/staff/newsletters", "/{slug}/staff/newsletters/new",
    "/{slug}/staff/newsletters/{newsletter_id}",
    "/{slug}/staff/newsletters/{newsletter_id}/edit",
]
_ENGLISH = "the English address of a page measured at its French one (same view and template)"
EXCLUDED = {
    "/openapi.json": "JSON: the API's description",
    "/docs": "the API's interactive documentation, served by FastAPI's Swagger UI",
    "/docs/oauth2-redirect": "part of the Swagger UI",
    "/healthz": "a probe's plain answer", "/readyz": "a probe's plain answer",
    "/metrics": "Prometheus text", "/robots.txt": "text", "/sitemap.xml": "XML",
    "/favicon.ico": "an image", "/{slug}/theme.css": "a style sheet",
    "/account/export": "a download (the member's data as JSON)",
    "/{slug}/events.ics": "a calendar download",
    "/{slug}/events/{event_id:int}.ics": "a calendar download",
    "/simulator": _ENGLISH, "/compare": _ENGLISH, "/{slug}/simulator": _ENGLISH,
    "/{slug}/apply": _ENGLISH, "/{slug}/apply/thanks": _ENGLISH,
    "/{slug}/spaces": _ENGLISH, "/{slug}/spaces/{space_id}": _ENGLISH,
    "/{slug}/meetups": _ENGLISH, "/{slug}/meetups/cancel": _ENGLISH,
    "/{slug}/meetups/{event_id:int}": _ENGLISH,
    "/{slug}/meetups/{event_id:int}/sign-up": _ENGLISH,
    "/account/bookings/{booking_id}/booking.ics": "a calendar download",
}
# Reached without the token of the link sent by mail: the page that says the link is not valid.
EXPECTED_STATUS = {"/{slug}/rencontres/annulation": 400, "/{slug}/newsletters/unsubscribe": 400}
WARM_UP = ["/", "/gers/", "/orne/", "/simulateur", "/comparer"]
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def role_of(template: str) -> str:
    """Who opens the page: a member, an administrator, Gers staff, or nobody signed in."""
    return next((role for prefix, role in ROLE_BY_PREFIX.items()
                 if template.startswith(prefix)), "anonymous")


def _cases() -> list[Any]:
    cases = []
    for template in PAGES:
        slugs = (REGIONS if "{slug}" in template and role_of(template) == "anonymous"
                 else ("gers",))
        for slug in slugs:
            for viewport in VIEWPORTS:
                label = template.replace("{slug}", slug)
                cases.append(pytest.param(template, slug, viewport, id=f"{label}@{viewport}"))
    return cases


@dataclass
class Site:
    """The live server, the sample values of the path parameters, a browser context per
    role and viewport (signed in once)."""

    url: str
    app: Any
    samples: dict[str, dict[str, str]]
    browser: Any
    axe: str
    contexts: dict[tuple[str, str], Any] = field(default_factory=dict)

    def context(self, role: str, viewport: str) -> Any:
        """A context for ``role`` at ``viewport``, signed in through the form."""
        if (role, viewport) not in self.contexts:
            context = self.browser.new_context(locale="fr-FR", viewport=VIEWPORTS[viewport])
            context.set_default_timeout(PATIENCE_MS)
            if role != "anonymous":
                form = context.request.get(f"{self.url}/account/sign-in").text()
                token = CSRF.search(form)
                assert token, "no CSRF token on the sign-in form"
                answer = context.request.post(f"{self.url}/account/sign-in", max_redirects=0,
                                              form={"csrf": token.group(1), "email": EMAILS[role],
                                                    "password": PASSWORD})
                assert answer.status == 303, (role, answer.status)
            self.contexts[role, viewport] = context
        return self.contexts[role, viewport]


def _samples(instance: Any) -> dict[str, dict[str, str]]:
    """For each region, the path parameters: its first service, space and meetup; in the
    Gers also a member without an account and the rows each staff area's paths need."""
    samples = {}
    with Session(instance.engine) as session:
        for slug in REGIONS:
            region = session.exec(select(Region).where(Region.slug == slug)).one()
            assert region.id is not None
            service = session.exec(select(Service.slug).where(
                Service.region_id == region.id)).first()
            space = session.exec(select(Space.id).where(Space.region_id == region.id)).first()
            meetup = session.exec(select(Meetup.id).where(
                Meetup.region_id == region.id, Meetup.starts_at > dt.datetime.now(dt.UTC))).first()
            assert service and space and meetup, f"the demo of {slug} lacks a sample"
            samples[slug] = {"service": service, "space_id": str(space),
                             "event_id": str(meetup)}
        gers = session.exec(select(Region).where(Region.slug == "gers")).one()
        assert gers.id is not None
        member = session.exec(select(Member.id).where(
            Member.region_id == gers.id, Member.email != EMAILS["member"])).first()
        assert member
        samples["gers"]["member_id"] = str(member)
        samples["gers"]["booking_id"] = str(
            book_for_the_member(session, int(samples["gers"]["space_id"])))
        for area in matrix_kit.AREAS:
            samples["gers"].update(area.samples(session, gers.id, member))
        session.commit()
    return samples


@pytest.fixture(scope="module")
def site(chromium: Path, axe_script: Path,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The reference regions with demo data and one account per role, served over HTTP,
    and headless Chromium: one of each for the module."""
    kit = RegionKit(tmp_path_factory.mktemp("accessibility"))
    assert populated_sqlite_copy(kit.database_url) is not None
    instance = kit.instance(reference_region_paths())
    try:
        samples, app = _samples(instance), create_app(instance)
        with served(app, "accessibility") as url, \
                sync_api.sync_playwright() as playwright:
            for path in WARM_UP:  # the first answers fill caches: slow on a loaded machine
                with urllib.request.urlopen(url + path, timeout=120) as answer:
                    answer.read()
            browser = playwright.chromium.launch(executable_path=str(chromium), headless=True,
                                                 args=CHROMIUM_ARGS)
            try:
                yield Site(url, app, samples, browser, axe_script.read_text(encoding="utf-8"))
            finally:
                browser.close()
    finally:
        instance.engine.dispose()


@pytest.mark.parametrize(("template", "slug", "viewport"), _cases())
def test_page_has_no_axe_violation(site: Site, template: str, slug: str, viewport: str) -> None:
    path = matrix_kit.fill(template, {**site.samples[slug], "slug": slug})
    page = site.context(role_of(template), viewport).new_page()
    try:
        answer = page.goto(site.url + path, wait_until="load")
        status = EXPECTED_STATUS.get(template, 200)
        assert answer is not None and answer.status == status, (path, answer and answer.status)
        assert page.locator("h1").count() == 1, f"{path}: not exactly one h1"
        assert page.evaluate("document.documentElement.lang") == "fr", path
        assert page.title().strip(), f"{path}: no title"
        found = violations(page, site.axe)
        assert not found, f"{path} at {viewport}:\n" + describe(found)
    finally:
        page.close()


def test_every_page_is_measured_or_excluded_with_a_reason(site: Site) -> None:
    routes = {path for method, path, _ in matrix_kit.app_routes(TestClient(site.app))
              if method == "GET" and not path.startswith("/api/")}
    assert routes - set(PAGES) - set(EXCLUDED) == set(), "measure these pages or exclude them"
    assert set(PAGES) - routes == set(), "no such page"
    assert set(EXCLUDED) - routes == set(), "no such route"
