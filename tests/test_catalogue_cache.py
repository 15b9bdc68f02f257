"""The service catalogue kept in memory per region and language, and the formatting caches:
what they serve must be what the database and Babel would give on every request."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from babel.numbers import format_percent as babel_format_percent
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlmodel import Session, select

from campagne import i18n
from campagne.api.catalogue import ServiceCatalogue
from campagne.api.schemas import ServiceOut
from campagne.app import create_app
from campagne.models import Member, MemberStatus, Region
from campagne.testing import RegionKit

SERVICES = TypeAdapter(list[ServiceOut])


@pytest.fixture
def client(tmp_path: Path, database_url: str, reference_paths: list[Path]
           ) -> Iterator[TestClient]:
    """A client of the reference regions (no members) on each backend, its own database."""
    kit = RegionKit(tmp_path / "regions", database_url)
    instance = kit.instance(reference_paths)
    with TestClient(create_app(instance), raise_server_exceptions=False) as test_client:
        yield test_client
    instance.engine.dispose()


def _members_today(html: str) -> str:
    found = re.search(r'<p class="big-number"><strong>([^<]*)</strong>', html)
    assert found is not None
    return found.group(1)


def _add_member(client: TestClient, slug: str, status: str) -> None:
    instance = client.app.state.instance  # type: ignore[attr-defined]
    with Session(instance.engine) as session:
        region = session.exec(select(Region).where(Region.slug == slug)).one()
        assert region.id is not None
        session.add(Member(region_id=region.id, first_name="Test", last_name="Person",
                           sector_slug="it_internet_ecommerce", status=status))
        session.commit()


def test_a_member_change_shows_on_the_next_page_view(client: TestClient) -> None:
    assert _members_today(client.get("/gers/").text) == "0"
    _add_member(client, "gers", MemberStatus.SETTLED.value)
    assert _members_today(client.get("/gers/").text) == "1"
    assert client.get("/api/v1/regions/gers").json()["key_figures"]["members_total"] == 1
    _add_member(client, "gers", MemberStatus.SETTLING.value)
    assert _members_today(client.get("/gers/").text) == "2"
    assert _members_today(client.get("/orne/").text) == "0"


def test_plugin_services_are_in_the_catalogue_page_and_api(client: TestClient) -> None:
    services = client.get("/api/v1/regions/orne/services").json()
    from_plugin = [s["slug"] for s in services if s["plugin"]]
    assert "telecentre-boitron" in from_plugin
    page = client.get("/orne/").text
    assert "/orne/services/telecentre-boitron" in page
    assert client.get("/orne/services/telecentre-boitron").status_code == 200
    one = client.get("/api/v1/regions/orne/services/telecentre-boitron").json()
    assert one == next(s for s in services if s["slug"] == "telecentre-boitron")


def test_the_labels_follow_the_language_of_each_request(client: TestClient) -> None:
    def labels(lang: str) -> set[str]:
        answer = client.get("/api/v1/regions/gers/services", params={"lang": lang})
        return {service["category_label"] for service in answer.json()}

    french, english = labels("fr"), labels("en")
    assert "Comité d’accueil" in french and "Welcome committee" in english
    assert "Welcome committee" not in french and "Comité d’accueil" not in english
    assert labels("fr") == french  # back and forth: each language keeps its own labels
    assert "Welcome committee" in client.get("/gers/", params={"lang": "en"}).text
    assert "Comité d’accueil" in client.get("/gers/", params={"lang": "fr"}).text


def test_the_served_json_is_the_list_of_services_as_fastapi_would_serialise_it(
        client: TestClient) -> None:
    answer = client.get("/api/v1/regions/gers/services")
    assert answer.headers["content-type"] == "application/json"
    services = SERVICES.validate_json(answer.content)
    assert answer.content == SERVICES.dump_json(services, by_alias=True)
    assert [s.url for s in services] == [
        f"/api/v1/regions/gers/services/{s.slug}" for s in services]
    category = services[0].category
    filtered = client.get("/api/v1/regions/gers/services", params={"category": category})
    assert filtered.json() == [s for s in answer.json() if s["category"] == category]
    unused = client.get("/api/v1/regions/gers/services", params={"category": "website"})
    assert unused.status_code == 200 and isinstance(unused.json(), list)
    refused = client.get("/api/v1/regions/gers/services", params={"category": "nonsense"})
    assert refused.status_code == 422
    assert client.get("/api/v1/regions/nowhere/services").status_code == 404


def test_each_application_has_its_own_catalogue(tmp_path: Path,
                                                reference_paths: list[Path]) -> None:
    gers_only = [path for path in reference_paths if path.name == "gers"]
    kit = RegionKit(tmp_path / "regions")
    both, one = kit.instance(reference_paths), kit.instance(gers_only)
    first, second = create_app(both), create_app(one)
    assert first.state.catalogue is not second.state.catalogue
    with TestClient(first) as a, TestClient(second) as b:
        assert a.get("/api/v1/regions/orne/services").status_code == 200
        assert b.get("/api/v1/regions/orne/services").status_code == 404


def test_the_catalogue_is_immutable_and_read_once(client: TestClient) -> None:
    catalogue: ServiceCatalogue = client.app.state.catalogue  # type: ignore[attr-defined]
    first = catalogue.get("gers", "fr")
    assert catalogue.get("gers", "fr") is first
    assert catalogue.cached("gers", "en") is not None  # every language built at once
    assert isinstance(first.services, tuple)
    with pytest.raises(TypeError):
        first.by_slug["x"] = first.services[0]  # type: ignore[index]
    with pytest.raises(ValueError, match="frozen"):
        first.services[0].slug = "changed"  # type: ignore[misc]


@pytest.mark.parametrize("locale", i18n.SUPPORTED)
def test_cached_number_formats_match_babel(locale: str) -> None:
    token = i18n.current_locale.set(locale)
    try:
        for value in (0, 7, 1234, 1234567, 2.5, 1234.5678, -42):
            for digits in (0, 1, 2):
                pattern = "#,##0" + ("." + "0" * digits if digits else "")
                assert i18n.format_number(value, digits) == format_decimal(
                    value, format=pattern, locale=locale)
        for share in (0, 0.2, 0.12345, 1, 0.0004):
            assert i18n.format_percent(share, 0) == babel_format_percent(share, locale=locale)
    finally:
        i18n.current_locale.reset(token)
    assert i18n.format_number(1234) == i18n.format_number(1234)  # default language again


def test_formatting_follows_the_language_after_caching() -> None:
    tokens = [i18n.current_locale.set("fr")]
    try:
        french = (i18n.format_number(1234), i18n.format_percent(0.2))
        tokens.append(i18n.current_locale.set("en"))
        english = (i18n.format_number(1234), i18n.format_percent(0.2))
    finally:
        for token in reversed(tokens):
            i18n.current_locale.reset(token)
    assert french == ("1\u202f234", "20,0\u00a0%")
    assert english == ("1,234", "20.0%")
