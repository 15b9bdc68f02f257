"""The region's home as it is served fast: matched before the other routes only for served
regions, its fixed parts rendered once per region and language and blind to the request,
and the notice that the member figures come from synthetic demonstration data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from starlette.requests import Request

from campagne.app import create_app
from campagne.models import Member, MemberStatus, Region
from campagne.testing import RegionKit
from campagne.web.pages import ServedRegionHome
from campagne.web.templating import _switch_links

NOTICE = re.compile(r'<p class="notice demo-data" role="note">([^<]*)</p>')


@pytest.fixture
def client(tmp_path: Path, database_url: str, reference_paths: list[Path]
           ) -> Iterator[TestClient]:
    """A client of the reference regions (no members) on each backend, its own database."""
    kit = RegionKit(tmp_path / "regions", database_url)
    instance = kit.instance(reference_paths)
    with TestClient(create_app(instance), raise_server_exceptions=False,
                    follow_redirects=False) as test_client:
        yield test_client
    instance.engine.dispose()


def _add_member(client: TestClient, slug: str, *, synthetic: bool,
                status: str = MemberStatus.SETTLED.value) -> None:
    instance = client.app.state.instance  # type: ignore[attr-defined]
    with Session(instance.engine) as session:
        region = session.exec(select(Region).where(Region.slug == slug)).one()
        assert region.id is not None
        session.add(Member(region_id=region.id, first_name="Test", last_name="Person",
                           sector_slug="it_internet_ecommerce", status=status,
                           synthetic=synthetic))
        session.commit()


def _notice(client: TestClient, path: str, lang: str = "fr") -> str | None:
    found = NOTICE.search(client.get(path, params={"lang": lang}).text)
    return found.group(1) if found else None


# --- the notice of synthetic data ------------------------------------------------------------


def test_no_notice_without_synthetic_members(client: TestClient) -> None:
    assert _notice(client, "/gers/") is None
    assert _notice(client, "/") is None
    _add_member(client, "gers", synthetic=False)
    assert _notice(client, "/gers/") is None
    assert _notice(client, "/") is None


def test_the_notice_follows_the_members_on_the_next_view(client: TestClient) -> None:
    _add_member(client, "gers", synthetic=True)
    assert _notice(client, "/gers/") == (
        "Données de démonstration\u00a0: ces chiffres comptent des membres générés, "
        "pas des personnes réelles.")
    assert _notice(client, "/gers/", "en") == (
        "Demonstration data: these figures count generated members, not real people.")
    assert _notice(client, "/orne/") is None  # the Orne has none
    _add_member(client, "gers", synthetic=False)
    assert _notice(client, "/gers/") == (
        "Données de démonstration\u00a0: 1 de ces membres est généré, "
        "pas une personne réelle.")
    _add_member(client, "gers", synthetic=True)
    assert _notice(client, "/gers/", "en") == (
        "Demonstration data: 2 of these members are generated, not real people.")


def test_members_not_counted_do_not_bring_the_notice(client: TestClient) -> None:
    _add_member(client, "gers", synthetic=True, status=MemberStatus.LEFT.value)
    assert _notice(client, "/gers/") is None
    assert _notice(client, "/") is None


def test_the_list_of_regions_says_it_too(client: TestClient) -> None:
    _add_member(client, "orne", synthetic=True)
    assert _notice(client, "/", "en") == (
        "Demonstration data: the member counts below include generated members, "
        "not real people.")
    assert _notice(client, "/") is not None


def test_the_demo_instance_shows_the_notice(demo_client: TestClient) -> None:
    for path in ("/", "/gers/", "/orne/"):
        assert _notice(demo_client, path, "en") is not None, path
    assert _notice(demo_client, "/gers/services", "en") is None  # no member figure there


# --- routing ---------------------------------------------------------------------------------


def test_the_region_home_is_matched_first_for_served_regions_only(client: TestClient) -> None:
    first = client.app.router.routes[0]  # type: ignore[attr-defined]
    assert isinstance(first, ServedRegionHome)
    assert client.get("/gers/").status_code == 200
    assert client.head("/gers/").status_code == 200
    # Paths of the other routers stay theirs: /account/ names no region.
    assert client.get("/account/").status_code == 303
    assert client.get("/account/").headers["location"] == "/account/sign-in"
    unknown = client.get("/nowhere/")
    assert unknown.status_code == 404
    assert "Ce département n’est pas présent sur ce site." in unknown.text


# --- fixed parts -----------------------------------------------------------------------------

SPY_FACTS = """<p id="spy">{{ region.config.name }}|{{ locale }}|{{ services.services|length }}|
{{- request is defined }}|{{ figures is defined }}|{{ telecentres is defined }}</p>
{% include "core:region_parts/facts.html" %}"""


def test_a_fixed_part_sees_only_the_region_the_language_and_the_services(
        kit: RegionKit) -> None:
    """The parts are reused across requests: they must not see anything that changes."""
    lot = kit.region("lot", templates={"region_parts/facts.html": SPY_FACTS})
    with kit.client([lot]) as client:
        french = client.get("/lot/").text
        assert '<p id="spy">Lot|fr|1|False|False|False</p>' in french
        assert '<dl class="facts">' in french  # the core part, included by the override
        assert '<p id="spy">Lot|en|1|False|False|False</p>' in client.get("/lot/?lang=en").text
        assert '<p id="spy">Lot|fr|1|False|False|False</p>' in client.get("/lot/?lang=fr").text


def test_the_page_is_the_same_in_each_language_back_and_forth(client: TestClient) -> None:
    french = client.get("/gers/", params={"lang": "fr"}).text
    english = client.get("/gers/", params={"lang": "en"}).text
    assert "Population" in french and "Run by" in english and "Porté par" in french
    assert "See the whole catalogue" in english and "Voir tout le catalogue" in french
    assert client.get("/gers/", params={"lang": "fr"}).text == french
    assert client.get("/gers/", params={"lang": "en"}).text == english


# --- language links --------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "query"), [
    ("/gers/", b""), ("/gers/services", b"category=office_access&lang=en"),
    ("/a b/é?#\\x", b""), ("//double", b"q=%C3%A9"), ("/x%y/", b"lang=fr&a=1&a=2"),
])
def test_language_links_take_the_path_as_the_request_url_gives_it(path: str, query: bytes
                                                                   ) -> None:
    scope = {"type": "http", "method": "GET", "path": path, "query_string": query,
             "headers": [(b"host", b"example.org")], "scheme": "http",
             "server": ("example.org", 80)}
    request = Request(scope)
    expected_path = quote(request.url.path, safe="/%:@!$&'()*+,;=-._~")
    links = _switch_links(request)
    for language in ("fr", "en"):
        assert links[language].split("?")[0] == expected_path
        assert f"lang={language}" in links[language]
