"""Built-in features are plug-ins, switched per region in ``region.yaml``."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from accounts_kit import populate, sign_in
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from campagne.app import create_app
from campagne.cli import main
from campagne.features.spaces.models import Booking, Space
from campagne.gdpr import erase_member, export_member
from campagne.models import Member, Region
from campagne.testing import ReferenceCopy, RegionKit


@pytest.fixture
def two_regions(region_kit: RegionKit, reference_region_copy: ReferenceCopy
                ) -> tuple[RegionKit, list[Path]]:
    gers = reference_region_copy("gers")
    orne = reference_region_copy("orne", features={"spaces": False})
    return region_kit, [gers, orne]


def test_a_feature_switched_off_has_no_pages_nor_api_there(
        two_regions: tuple[RegionKit, list[Path]]) -> None:
    kit, folders = two_regions
    with kit.client(folders) as client:
        home = client.get("/orne/")
        assert home.status_code == 200
        assert "/orne/espaces" not in home.text and "/orne/rencontres" in home.text
        for path in ("/orne/espaces", "/orne/spaces", "/api/v1/regions/orne/spaces",
                     "/orne/staff/spaces"):
            assert client.get(path).status_code == 404, path
        assert client.get("/api/v1/regions/orne/spaces").json() == {"detail": "Not Found"}
        gers_home = client.get("/gers/")
        assert "/gers/espaces" in gers_home.text
        assert client.get("/gers/espaces").status_code == 200
        assert client.get("/api/v1/regions/gers/spaces").status_code == 200


def test_the_menu_follows_the_features_in_both_languages(
        two_regions: tuple[RegionKit, list[Path]]) -> None:
    kit, folders = two_regions
    with kit.client(folders) as client:
        english = client.get("/gers/services?lang=en").text
        for link in ("/gers/apply", "/gers/meetups", "/gers/spaces", "/gers/simulateur"):
            assert f'href="{link}"' in english
        french = client.get("/orne/services?lang=fr").text
        order = [french.index(f'href="/orne/{path}"')
                 for path in ("candidater", "rencontres", "simulateur")]
        assert order == sorted(order)
        assert 'href="/orne/espaces"' not in french


def test_features_are_listed_as_builtin_plugins(
        two_regions: tuple[RegionKit, list[Path]]) -> None:
    kit, folders = two_regions
    with kit.client(folders) as client:
        listed = {p["name"]: p for p in client.get("/api/v1/plugins").json()}
    spaces = listed["campagne.spaces"]
    assert (spaces["source"], spaces["regions"]) == ("builtin", ["gers"])
    assert {"app_routes", "menu_entries"} <= set(spaces["hooks"])
    assert listed["campagne.meetups"]["regions"] == ["gers", "orne"]


def test_app_module_imports_no_feature() -> None:
    """``create_app`` mounts what the plug-ins give: it imports no feature's module."""
    source = (Path(__file__).parents[2] / "core" / "app.py").read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
    for feature in ("space", "meetup", "event", "inquir", "pipeline", "followup", "sheet",
                    "simulator", "stats", "compare", "account", "admin", "member", "features",
                    "operations", "pages"):
        assert not [name for name in imported if feature in name], feature


@pytest.mark.parametrize(("features", "message"), [
    ({"espaces": False}, "unknown feature 'espaces'"),
    ({"accounts": False}, "feature 'accounts' cannot be switched off"),
    ({"inquiries": False}, "feature 'pipeline' needs 'inquiries'"),
])
def test_check_refuses_a_wrong_switch_at_its_line(
        reference_region_copy: ReferenceCopy, capsys: pytest.CaptureFixture[str],
        features: dict[str, bool], message: str) -> None:
    folder = reference_region_copy("orne", features=features)
    assert main(["check", str(folder)]) != 0
    lines = (folder / "region.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index("features:")
    line = next(number for number, text in enumerate(lines, 1)
                if number > start and text.strip().startswith(f"{next(iter(features))}:"))
    reported = next((text for text in capsys.readouterr().err.splitlines()
                     if message in text), "")
    assert f"region.yaml:{line}:" in reported, reported


def test_switching_a_dependent_feature_off_with_its_requirement_is_valid(
        reference_region_copy: ReferenceCopy, capsys: pytest.CaptureFixture[str]) -> None:
    folder = reference_region_copy("orne", features={"inquiries": False, "pipeline": False})
    assert main(["check", str(folder)]) == 0, capsys.readouterr().err


def test_a_feature_switched_off_still_answers_for_the_personal_data_it_holds(
        two_regions: tuple[RegionKit, list[Path]]) -> None:
    """Rows kept from before the switch are still the person's: exported, and released at
    erasure, even where the feature is off (here the desks of the Orne)."""
    kit, folders = two_regions
    instance = kit.instance(folders)
    try:
        with Session(instance.engine) as session:
            orne = session.exec(select(Region).where(Region.slug == "orne")).one()
            assert orne.id is not None
            member = Member(region_id=orne.id, first_name="Odile", last_name="Vasseur",
                            email="odile@example.org", sector_slug="it_internet_ecommerce")
            space = Space(region_id=orne.id, name="Tiers-lieu du bocage", commune="Flers",
                          seats=4)
            session.add_all([member, space])
            session.flush()
            assert member.id is not None and space.id is not None
            booking = Booking(space_id=space.id, day=dt.date.today() + dt.timedelta(days=30),
                              slot="day", member_id=member.id)
            session.add(booking)
            session.commit()
            exported = export_member(session, member, "orne", None, instance)
            assert [row["space"] for row in exported["desk_bookings"]] == [
                "Tiers-lieu du bocage"]
            erase_member(session, member, instance)
            session.commit()
            session.refresh(booking)
            assert booking.cancelled_at is not None
    finally:
        instance.engine.dispose()


def test_staff_and_account_pages_leave_out_a_feature_switched_off(
        region_kit: RegionKit, reference_region_copy: ReferenceCopy) -> None:
    """No staff link, panel of the day, account panel nor privacy notice part of meetups,
    desks and newsletters where they are off (the Gers here); the Orne keeps them."""
    gers = reference_region_copy("gers", features={"meetups": False, "spaces": False,
                                                   "newsletters": False})
    orne = reference_region_copy("orne")
    instance = region_kit.instance([gers, orne])
    try:
        populate(instance)
        with TestClient(create_app(instance), raise_server_exceptions=False) as client:
            sign_in(client, "staff_gers")
            today = client.get("/gers/staff/")
            assert today.status_code == 200 and 'id="new"' in today.text
            assert 'id="meetups"' not in today.text
            assert "/gers/staff/meetups" not in today.text
            assert "/gers/staff/spaces" not in today.text
            assert "/gers/staff/spaces" not in client.get("/account/").text
            client.cookies.clear()
            sign_in(client, "member")
            account = client.get("/account/").text
            assert 'id="my-follow-up"' in account
            assert 'id="bookings"' not in account and "/account/meetups" not in account
            assert 'id="newsletter"' not in account
            client.cookies.clear()
            sign_in(client, "staff_orne")
            orne_today = client.get("/orne/staff/").text
            assert 'id="meetups"' in orne_today and "/orne/staff/spaces" in orne_today
            assert 'id="guests"' not in client.get("/gers/privacy").text
            orne_notice = client.get("/orne/privacy?lang=en").text
            assert "sign up to a meetup without an account" in orne_notice
            assert "If a desk is booked for you" in orne_notice
            assert "we do not track opens or clicks" in orne_notice
    finally:
        instance.engine.dispose()
