"""Every page on a 320 px phone, in headless Chromium with JavaScript off: the public pages
and the staff and account pages of the demo data. None scrolls sideways; each has one h1, a
``lang`` and a title. The list is checked against the app's routes, so that a new page is
either visited here or left out for a stated reason."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from accounts_kit import EMAILS, PASSWORD, book_for_the_member, populate
from browser_kit import browser, pytestmark
from browser_kit import open_tab as _tab
from sqlmodel import Session, col, select

from campagne.api.documented_errors import api_routes
from campagne.app import create_app
from campagne.features.meetups.models import Meetup
from campagne.features.newsletters.models import Newsletter
from campagne.features.spaces.models import Space
from campagne.models import Member, Region
from campagne.operations.models import Inquiry
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit, served

__all__ = ["browser", "pytestmark"]
PHONE = {"width": 320, "height": 640}

# (who, path, status): who looks at the page ("anonymous" or a role of accounts_kit).
PAGES: list[tuple[str, str, int]] = [
    ("anonymous", "/", 200),
    ("anonymous", "/comparer", 200),
    ("anonymous", "/compare?lang=en", 200),
    ("anonymous", "/simulateur", 200),
    ("anonymous", "/simulator?lang=en", 200),
    ("anonymous", "/simulateur?status=founder&sector=communication_design"
                  "&origin_department=69", 200),
    ("anonymous", "/nowhere/", 404),
    ("anonymous", "/gers/", 200),
    ("anonymous", "/orne/", 200),
    ("anonymous", "/gers/?lang=en", 200),
    ("anonymous", "/gers/services", 200),
    ("anonymous", "/gers/services/comite-accueil", 200),
    ("anonymous", "/orne/services/telecentre-belleme", 200),
    ("anonymous", "/gers/simulateur", 200),
    ("anonymous", "/gers/simulator?status=founder&sector=communication_design"
                  "&origin_department=69&lang=en", 200),
    ("anonymous", "/gers/candidater", 200),
    ("anonymous", "/gers/apply/thanks?mail=queued&lang=en", 200),
    ("anonymous", "/gers/candidater/merci?mail=queued", 200),
    ("anonymous", "/gers/rencontres", 200),
    ("anonymous", "/gers/meetups?lang=en", 200),
    ("anonymous", "/gers/rencontres/{meetup}", 200),
    ("anonymous", "/gers/meetups/{meetup}?lang=en", 200),
    ("anonymous", "/gers/rencontres/annulation", 400),  # a link without its token
    ("anonymous", "/gers/espaces", 200),
    ("anonymous", "/gers/spaces?lang=en", 200),
    ("anonymous", "/gers/espaces/{space}", 200),
    ("anonymous", "/gers/privacy", 200),
    ("anonymous", "/gers/newsletters/unsubscribe", 400),  # the same
    ("anonymous", "/account/sign-in", 200),
    ("anonymous", "/account/reset", 200),
    ("anonymous", "/account/set-password", 200),
    ("member", "/account/", 200),
    ("member", "/account/meetups", 200),
    ("member", "/account/notifications", 200),
    ("member", "/account/erasure", 200),
    ("member", "/account/bookings/{booking}", 200),
    ("anonymous", "/gers/rencontres/{meetup}/inscription", 200),  # no token: a plain thanks
    ("member", "/gers/espaces/{space}", 200),
    ("member", "/gers/rencontres/{meetup}", 200),
    ("staff_gers", "/gers/staff/", 200),
    ("staff_gers", "/gers/staff/pipeline", 200),
    ("staff_gers", "/gers/staff/pipeline/new", 200),
    ("staff_gers", "/gers/staff/inquiries/{inquiry}", 200),
    ("staff_gers", "/gers/staff/members", 200),
    ("staff_gers", "/gers/staff/members?page=2", 200),
    ("staff_gers", "/gers/staff/members/{member}", 200),
    ("staff_gers", "/gers/staff/meetups", 200),
    ("staff_gers", "/gers/staff/meetups/new", 200),
    ("staff_gers", "/gers/staff/meetups/{meetup}", 200),
    ("staff_gers", "/gers/staff/spaces", 200),
    ("staff_gers", "/gers/staff/spaces/{space}", 200),
    ("staff_gers", "/gers/staff/import", 200),
    ("staff_gers", "/gers/staff/outbox", 200),
    ("staff_gers", "/gers/staff/newsletters", 200),
    ("staff_gers", "/gers/staff/newsletters/new", 200),
    ("staff_gers", "/gers/staff/newsletters/{newsletter}", 200),
    ("staff_gers", "/gers/staff/newsletters/{newsletter}/edit", 200),
    ("staff_gers", "/account/", 200),
    ("admin", "/admin/users", 200),
    ("admin", "/admin/audit", 200),
    ("admin", "/admin/outbox", 200),
    ("admin", "/admin/jobs", 200),
]
# The GET routes that are not pages, or are the same page under its other language's path.
NOT_PAGES = {
    "/docs": "the API's documentation, drawn by Swagger UI",
    "/docs/oauth2-redirect": "a step of Swagger UI's sign-in",
    "/healthz": "JSON", "/readyz": "JSON", "/metrics": "text for Prometheus",
    "/robots.txt": "text", "/sitemap.xml": "XML", "/favicon.ico": "an image",
    "/account/export": "a file of the member's data",
    "/{slug}/theme.css": "a style sheet",
    "/{slug}/events.ics": "a calendar", "/{slug}/events/{event_id}.ics": "a calendar",
    "/{slug}/apply": "the page of /{slug}/candidater, in English",
    "/{slug}/meetups/cancel": "the page of /{slug}/rencontres/annulation, in English",
    "/{slug}/spaces/{space_id}": "the page of /{slug}/espaces/{space_id}, in English",
    "/{slug}/meetups/{event_id}/sign-up":
        "the page of /{slug}/rencontres/{event_id}/inscription, in English",
    "/account/bookings/{booking_id}/booking.ics": "a calendar",
}


def _pattern(path: str) -> str:
    """The route pattern a visited path stands for (ids and slugs as parameters)."""
    parts = path.split("?")[0].split("/")
    names = {"gers": "{slug}", "orne": "{slug}"}
    for index, part in enumerate(parts):
        if part in names and index == 1:
            parts[index] = names[part]
    return "/".join(parts)


def _visited_patterns() -> set[str]:
    return {_pattern(path) for _, path, _ in PAGES}


def _matches(route: str, patterns: set[str]) -> bool:
    """Whether one of the visited paths (with ids filled in) is an instance of ``route``."""
    route_parts = route.split("/")
    for pattern in patterns:
        parts = pattern.split("/")
        if len(parts) == len(route_parts) and all(
                mine == theirs or (theirs.startswith("{") and mine.startswith("{"))
                or (theirs.startswith("{") and mine) for mine, theirs in zip(
                    parts, route_parts, strict=True)):
            return True
    return False


@pytest.fixture(scope="module")
def phone_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """The reference regions with demo data, accounts and a draft newsletter, served by
    uvicorn on a free loopback port (SQLite); with the app and the ids the pages need."""
    folder = tmp_path_factory.mktemp("every-page-on-a-phone")
    instance = RegionKit(folder).instance(reference_region_paths())
    populate(instance)
    with Session(instance.engine) as session:
        gers = session.exec(select(Region.id).where(Region.slug == "gers")).one()
        letter = Newsletter(region_id=gers, subject="Les rencontres de l’automne",
                            body="Trois rencontres à Auch, à Condom et à Lectoure.",
                            segment="members")
        session.add(letter)
        session.commit()
        ids = {
            "member": session.exec(select(Member.id).where(
                Member.region_id == gers, col(Member.email).is_not(None))
                .order_by(col(Member.id).desc())).first(),
            "inquiry": session.exec(select(Inquiry.id).where(Inquiry.region_id == gers)).first(),
            "meetup": session.exec(select(Meetup.id).where(Meetup.region_id == gers)
                                   .order_by(col(Meetup.starts_at).desc())).first(),
            "space": session.exec(select(Space.id).where(Space.region_id == gers)).first(),
            "newsletter": letter.id}
        space = ids["space"]
        assert space is not None
        ids["booking"] = book_for_the_member(session, space)
    app = create_app(instance)
    try:
        with served(app, "every-page-on-a-phone") as url:
            yield url, (app, {name: int(value or 0) for name, value in ids.items()})
    finally:
        instance.engine.dispose()


@pytest.fixture(scope="module")
def phones(browser: Any, phone_server: tuple[str, Any]) -> Iterator[dict[str, Any]]:
    """A 320 px French browser context per role, JavaScript off, signed in once."""
    tabs: dict[str, Any] = {}
    openers = []
    try:
        for role in ("anonymous", "member", "staff_gers", "admin"):
            opener = _tab(browser, phone_server[0], javascript=False)
            openers.append(opener)
            tab = next(opener)
            tab.page.set_viewport_size(PHONE)
            if role != "anonymous":
                tab.open("/account/sign-in")
                tab.page.get_by_label("Adresse électronique").fill(EMAILS[role])
                tab.page.get_by_label("Mot de passe").fill(PASSWORD)
                tab.page.get_by_role("button", name="Se connecter").click()
                tab.page.wait_for_url("**/account/")
            tabs[role] = tab
        yield tabs
    finally:
        for opener in openers:
            opener.close()


def test_every_get_route_is_visited_or_left_out_for_a_reason(
        phone_server: tuple[str, Any]) -> None:
    app = phone_server[1][0]
    routes = {route.path_format for route in api_routes(app.router.routes)
              if "GET" in (route.methods or ()) and not route.path_format.startswith("/api/")}
    assert "/{slug}/staff/members/{member_id}" in routes  # the routes are found at all
    forgotten = sorted(route for route in routes - set(NOT_PAGES)
                       if not _matches(route, _visited_patterns()))
    assert not forgotten, f"pages not visited on a phone (add them to PAGES): {forgotten}"
    assert not set(NOT_PAGES) - routes, "a route left out that no longer exists"


@pytest.mark.parametrize(("who", "path", "status"), PAGES,
                         ids=[f"{who}:{path}" for who, path, _ in PAGES])
def test_the_page_fits_a_320_px_phone(phones: dict[str, Any], phone_server: tuple[str, Any],
                                      who: str, path: str, status: int) -> None:
    tab = phones[who]
    tab.problems.clear()
    target = path.format(**phone_server[1][1])
    answer = tab.page.goto(tab.base + target, wait_until="load")
    assert answer is not None and answer.status == status, (target, answer and answer.status)
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        wide = tab.page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 321)
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' '
                             + Math.round(e.getBoundingClientRect().right))""")
        pytest.fail(f"{target} is {width} px wide on a {PHONE['width']} px screen: {wide}")
    assert tab.page.locator("h1").count() == 1, target
    assert tab.page.evaluate("document.documentElement.lang") in {"fr", "en"}, target
    assert tab.page.title().strip(), target
    # the page's own status, when it is an error page, is no problem of the page
    assert not [problem for problem in tab.problems if status == 200
                or f"{status}" not in problem], tab.problems
    assert not tab.csp_violations()
