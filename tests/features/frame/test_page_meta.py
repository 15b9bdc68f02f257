"""Every public page says what it is (meta description, Open Graph) and where its other
language is (``hreflang``); the pages of signed-in people do not."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

BASE = "http://127.0.0.1:8000"  # the demo's CAMPAGNE_PUBLIC_URL
PUBLIC_PAGES = ["/", "/gers/", "/orne/", "/gers/services", "/gers/rencontres", "/orne/espaces",
                "/simulateur", "/comparer", "/gers/privacy", "/gers/candidater"]


class _Head(HTMLParser):
    """The ``<meta>`` and ``<link rel="alternate">`` tags of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.alternates: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "meta" and ("name" in values or "property" in values):
            self.meta[values.get("name") or values["property"]] = values.get("content", "")
        elif tag == "link" and values.get("rel") == "alternate" and "hreflang" in values:
            self.alternates[values["hreflang"]] = values["href"]


def _head(client: TestClient, path: str, lang: str) -> _Head:
    answer = client.get(path, params={"lang": lang})
    assert answer.status_code == 200, path
    head = _Head()
    head.feed(answer.text)
    return head


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_carry_description_sharing_tags_and_languages(
        demo_client: TestClient, path: str, lang: str) -> None:
    head = _head(demo_client, path, lang)
    assert len(head.meta["description"]) > 40
    assert head.alternates == {"fr": f"{BASE}{path}?lang=fr", "en": f"{BASE}{path}?lang=en",
                               "x-default": f"{BASE}{path}"}
    assert head.meta["og:type"] == "website"
    assert head.meta["og:title"] and head.meta["og:description"] == head.meta["description"]
    assert head.meta["og:url"] == f"{BASE}{path}?lang={lang}"
    assert head.meta["og:locale"] == {"fr": "fr_FR", "en": "en_GB"}[lang]
    if path.startswith("/gers/"):
        assert head.meta["og:image"] == f"{BASE}/static/regions/gers/logo.svg"
        assert demo_client.get(head.meta["og:image"].removeprefix(BASE)).status_code == 200


@pytest.mark.parametrize(("lang", "words"), [("fr", "comité d’accueil"),
                                             ("en", "welcome committee")])
def test_a_region_home_is_described_by_its_programme(demo_client: TestClient, lang: str,
                                                     words: str) -> None:
    description = _head(demo_client, "/gers/", lang).meta["description"]
    assert words in description.replace("'", "’")


def test_the_site_home_is_described_in_each_language(demo_client: TestClient) -> None:
    french = _head(demo_client, "/", "fr").meta["description"]
    english = _head(demo_client, "/", "en").meta["description"]
    assert french.startswith("Campagne aide") and english.startswith("Campagne helps")
    assert re.search("\u00a0:", french)


def test_a_service_page_is_described_by_its_service(demo_client: TestClient) -> None:
    html = demo_client.get("/gers/services", params={"lang": "en"}).text
    first = re.findall(r'href="/gers/services/([a-z0-9-]+)"', html)[0]
    head = _head(demo_client, f"/gers/services/{first}", "en")
    assert head.meta["description"] != _head(demo_client, "/gers/", "en").meta["description"]


def test_signed_in_pages_have_no_language_alternates(demo_client: TestClient) -> None:
    head = _Head()
    head.feed(demo_client.get("/account/sign-in").text)
    assert not head.alternates and "og:url" not in head.meta
    assert "description" in head.meta
