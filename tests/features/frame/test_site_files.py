"""``/robots.txt``, ``/sitemap.xml`` and ``/favicon.ico``."""

from __future__ import annotations

from pathlib import Path
from urllib.robotparser import RobotFileParser
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient

from campagne.testing import RegionKit

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
BASE = "https://campagne.example.org"


@pytest.fixture
def public_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    """The Gers, and the Orne with its meetups switched off, at a public address."""
    monkeypatch.setenv("CAMPAGNE_PUBLIC_URL", BASE + "/")
    kit = RegionKit(tmp_path)
    folders = [kit.reference_copy("gers"), kit.reference_copy("orne", features={"meetups": False})]
    with kit.client(folders) as client:
        yield client


def _sitemap(client: TestClient) -> ElementTree.Element:
    answer = client.get("/sitemap.xml")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/xml")
    return ElementTree.fromstring(answer.content)


def test_the_sitemap_lists_the_public_pages_with_their_languages(public_site: TestClient
                                                                 ) -> None:
    urlset = _sitemap(public_site)
    locs = [loc.text or "" for loc in urlset.findall("s:url/s:loc", NS)]
    assert all(loc.startswith(BASE + "/") for loc in locs)
    paths = {loc.removeprefix(BASE).split("?")[0] for loc in locs}
    for path in ("/", "/simulateur", "/comparer", "/gers/", "/gers/services",
                 "/gers/rencontres", "/gers/espaces", "/gers/simulateur", "/gers/privacy",
                 "/orne/", "/orne/espaces", "/orne/privacy"):
        assert path in paths, path
    assert "/orne/rencontres" not in paths, "the Orne's meetups are switched off"
    assert sum(path.startswith("/gers/services/") for path in paths) == 12
    assert not [path for path in paths if "/staff" in path or "/account" in path]
    for url in urlset.findall("s:url", NS):
        loc = url.findtext("s:loc", namespaces=NS) or ""
        links = {link.get("hreflang"): link.get("href")
                 for link in url.findall("x:link", NS) if link.get("rel") == "alternate"}
        bare = loc.split("?")[0]
        assert links == {"fr": f"{bare}?lang=fr", "en": f"{bare}?lang=en", "x-default": bare}
        assert loc in links.values()


def test_every_address_of_the_sitemap_answers(demo_client: TestClient) -> None:
    urlset = _sitemap(demo_client)
    base = "http://127.0.0.1:8000"  # the demo's CAMPAGNE_PUBLIC_URL
    locs = [loc.text or "" for loc in urlset.findall("s:url/s:loc", NS)]
    assert len(locs) > 40
    for loc in locs:
        assert loc.startswith(base)
        answer = demo_client.get(loc.removeprefix(base), follow_redirects=False)
        assert answer.status_code == 200, loc


def test_robots_keep_crawlers_to_the_public_pages(public_site: TestClient) -> None:
    answer = public_site.get("/robots.txt")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    assert f"Sitemap: {BASE}/sitemap.xml" in answer.text.splitlines()
    rules = RobotFileParser()
    rules.parse(answer.text.splitlines())
    for path in ("/", "/gers/", "/gers/services", "/orne/espaces", "/simulateur", "/comparer",
                 "/api/v1/regions/gers", "/api/v1/regions/gers/stats", "/docs"):
        assert rules.can_fetch("AnyBot", f"{BASE}{path}"), path
    for path in ("/gers/staff/", "/orne/staff/pipeline", "/account/", "/account/sign-in",
                 "/admin/", "/metrics", "/api/v1/auth/token", "/api/v1/me",
                 "/api/v1/regions/gers/members", "/api/v1/regions/orne/inquiries",
                 "/api/v1/admin/audit"):
        assert not rules.can_fetch("AnyBot", f"{BASE}{path}"), path


def test_favicon_ico_leads_to_the_icon(demo_client: TestClient) -> None:
    answer = demo_client.get("/favicon.ico", follow_redirects=False)
    assert answer.status_code == 301
    icon = demo_client.get(answer.headers["location"])
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    home = demo_client.get("/").text
    assert '<link rel="icon" href="/static/core/favicon.svg"' in home
