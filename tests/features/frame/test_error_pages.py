"""The site's error pages: in the branding of the region the path names, with ways back and
the right status; a trailing-slash redirect only leads to a page that exists."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts_kit import World, sign_in_world, world
from fastapi.testclient import TestClient


def _links(html: str) -> list[str]:
    main = html[html.index("<main"):html.index("</main>")]
    return re.findall(r'<a href="([^"]+)"', main)


@pytest.mark.parametrize(("lang", "heading", "home"), [
    ("fr", "Page introuvable", "Accueil de Soho Solo Gers"),
    ("en", "Page not found", "Home of Soho Solo Gers"),
])
def test_a_missing_page_of_a_region_is_in_its_branding_with_ways_back(
        demo_client: TestClient, lang: str, heading: str, home: str) -> None:
    answer = demo_client.get("/gers/nope", params={"lang": lang}, follow_redirects=False)
    assert answer.status_code == 404
    html = answer.text
    assert f"<h1>{heading}</h1>" in html
    assert '<link rel="stylesheet" href="/gers/theme.css">' in html
    assert '<img src="/static/regions/gers/logo.svg"' in html
    assert "Soho Solo Gers" in html[:html.index("</header>")]
    assert _links(html)[:2] == ["/gers/", "/"]
    assert home in html
    assert '<meta name="robots" content="noindex">' in html


def test_a_missing_page_outside_any_region_is_in_the_instance_branding(
        demo_client: TestClient) -> None:
    answer = demo_client.get("/nowhere/at/all", follow_redirects=False)
    assert answer.status_code == 404
    assert "theme.css" not in answer.text
    assert _links(answer.text) == ["/"]


@pytest.mark.parametrize("path", ["/nowhere", "/gers/services/nothing-here/",
                                  "/nowhere/services/", "/gers/nope/"])
def test_no_redirect_leads_to_a_missing_page(demo_client: TestClient, path: str) -> None:
    answer = demo_client.get(path, follow_redirects=False)
    assert answer.status_code == 404
    assert "location" not in answer.headers


@pytest.mark.parametrize(("path", "target"), [
    ("/gers", "/gers/"), ("/gers/services/", "/gers/services"),
    ("/gers?lang=en", "/gers/?lang=en"),
])
def test_a_redirect_leads_to_a_page_that_answers(demo_client: TestClient, path: str,
                                                  target: str) -> None:
    answer = demo_client.get(path, follow_redirects=False)
    assert answer.status_code == 307
    assert answer.headers["location"] == f"http://testserver{target}"
    assert demo_client.get(answer.headers["location"]).status_code == 200


def test_a_post_is_never_redirected_to_another_address(demo_client: TestClient) -> None:
    answer = demo_client.post("/gers/candidater/", follow_redirects=False)
    assert answer.status_code == 404


@pytest.fixture
def accounts(tmp_path: Path) -> Iterator[World]:
    """The reference regions with one account per role."""
    with world(tmp_path) as built:
        yield built


@pytest.mark.parametrize(("lang", "heading", "reason"), [
    ("fr", "Accès refusé", "Vous n’avez pas accès à ce département."),
    ("en", "Access refused", "You cannot see this region."),
])
def test_a_refused_page_explains_and_offers_ways_back(accounts: World, lang: str,
                                                     heading: str, reason: str) -> None:
    sign_in_world(accounts, "staff_orne")
    answer = accounts.client.get("/gers/staff/", params={"lang": lang})
    assert answer.status_code == 403
    html = answer.text
    assert f"<h1>{heading}</h1>" in html
    assert reason in html
    assert '<link rel="stylesheet" href="/gers/theme.css">' in html
    assert _links(html)[:3] == ["/gers/", "/", "/account/"]


def test_an_expired_form_is_said_in_plain_words(demo_client: TestClient) -> None:
    answer = demo_client.post("/account/sign-in", params={"lang": "en"}, data={
        "csrf": "stale", "email": "someone@example.org", "password": "whatever"})
    assert answer.status_code == 403
    assert "This form has expired or came from another page." in answer.text
    assert "Invalid form token" not in answer.text
