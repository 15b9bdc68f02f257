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

from campagne import web
from campagne.app import create_app
from campagne.models import Member, MemberStatus, Region
from campagne.queries import member_figures, member_figures_quick
from campagne.testing import RegionKit
from campagne.web.figures import page_figures
from campagne.web.pages import ServedRegionHome
from campagne.web.templating import Renderer, _switch_links

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


SPY_FIGURES = """<p id="spy">{{ region.config.name }}|{{ locale }}|{{ figures.members_total }}|
{{- request is defined }}|{{ telecentres is defined }}|{{ page is defined }}</p>"""
BIG_NUMBER = re.compile(r'<p class="big-number"><strong>([^<]*)</strong>')


@pytest.mark.parametrize("part", ["region_parts/member_figures.html",
                                  "region_parts/home.html"])
def test_the_parts_on_the_figures_follow_the_members_and_see_nothing_else(
        kit: RegionKit, part: str) -> None:
    """The member figures, and the home's main part around them, are kept on the figures'
    own values: a new member shows at once, and the part sees nothing of the request."""
    lot = kit.region("lot", templates={part: SPY_FIGURES})
    with kit.client([lot]) as client:
        assert '<p id="spy">Lot|fr|0|False|False|False</p>' in client.get("/lot/?lang=fr").text
        assert '<p id="spy">Lot|en|0|False|False|False</p>' in client.get("/lot/?lang=en").text
        _add_member(client, "lot", synthetic=False)
        assert '<p id="spy">Lot|fr|1|False|False|False</p>' in client.get("/lot/?lang=fr").text
        assert '<p id="spy">Lot|en|1|False|False|False</p>' in client.get("/lot/?lang=en").text


def test_the_big_number_is_counted_on_every_view(client: TestClient) -> None:
    assert BIG_NUMBER.search(client.get("/gers/").text).group(1) == "0"  # type: ignore[union-attr]
    for _ in range(3):
        _add_member(client, "gers", synthetic=False)
    assert BIG_NUMBER.search(client.get("/gers/").text).group(1) == "3"  # type: ignore[union-attr]
    _add_member(client, "gers", synthetic=False, status=MemberStatus.LEFT.value)
    assert BIG_NUMBER.search(client.get("/gers/").text).group(1) == "3"  # type: ignore[union-attr]


def test_parts_with_values_are_kept_in_a_bounded_store(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Figures that keep changing must not grow the store of rendered parts without end."""
    monkeypatch.setattr(web.templating, "MAX_VALUED_PARTS", 3)
    renderer: Renderer = client.app.state.renderer  # type: ignore[attr-defined]
    for count in range(1, 8):
        _add_member(client, "gers", synthetic=False)
        page = client.get("/gers/").text
        assert BIG_NUMBER.search(page).group(1) == str(count)  # type: ignore[union-attr]
        assert 1 <= len(renderer._valued_parts) <= 3


def test_the_quick_figures_are_those_of_the_orm_query(client: TestClient) -> None:
    """The region's home reads its figures on the DB-API cursor: same counts, each backend."""
    for synthetic, status in ((True, "settled"), (False, "settling"), (False, "left"),
                              (True, "settling")):
        _add_member(client, "gers", synthetic=synthetic, status=status)
    _add_member(client, "orne", synthetic=False)
    engine = client.app.state.instance.engine  # type: ignore[attr-defined]
    for slug in ("gers", "orne", "nowhere"):
        with engine.connect() as connection:
            assert member_figures_quick(engine, slug) == member_figures(connection, slug)
    quick = member_figures_quick(engine, "gers")
    assert (quick.total, quick.synthetic, quick.by_sector) == (
        3, 2, {"it_internet_ecommerce": 3})
    assert page_figures(quick).members_total == 3


SPY_MENU = """<p id="menu-spy">{{ page }}|{{ locale }}|{{ region.slug }}|{{ staff_nav }}|
{{- request is defined }}|{{ switch_language is defined }}</p>
{% include "core:layout/main_menu.html" %}"""
CURRENT = re.compile(r'<a href="([^"]*)" aria-current="page">')


def test_the_main_menu_follows_the_page_and_language_and_sees_no_request(
        kit: RegionKit) -> None:
    """The menu is rendered once per region, language and page: each page marks its own entry."""
    lot = kit.region("lot", templates={"layout/main_menu.html": SPY_MENU})
    with kit.client([lot]) as client:
        for _ in range(2):  # the second round comes from the kept parts
            home = client.get("/lot/").text
            assert '<p id="menu-spy">region_home|fr|lot|False|False|False</p>' in home
            assert CURRENT.findall(home) == ["/lot/"]
            services = client.get("/lot/services", params={"lang": "en"}).text
            assert '<p id="menu-spy">service_catalogue|en|lot|False|False|False</p>' in services
            assert CURRENT.findall(services) == ["/lot/services"]
            assert 'href="/lot/apply"' in services and 'href="/lot/candidater"' not in services
            french = client.get("/lot/services", params={"lang": "fr"}).text
            assert 'href="/lot/candidater"' in french


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
