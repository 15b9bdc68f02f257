"""Built-in features are plug-ins, switched per region in ``region.yaml``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from campagne.cli import main
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
