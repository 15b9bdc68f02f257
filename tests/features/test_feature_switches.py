"""Built-in features are plug-ins, switched per region in ``region.yaml``."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
import yaml

from campagne.cli import main
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit


def reference_copy(kit: RegionKit, slug: str, **extra: object) -> Path:
    """A copy of a reference region under the kit's root, with top-level keys added."""
    source = next(path for path in reference_region_paths() if path.name == slug)
    folder = kit.root / slug
    shutil.copytree(source, folder)
    config_file = folder / "region.yaml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config.update(extra)
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                           encoding="utf-8")
    return folder


@pytest.fixture
def two_regions(tmp_path: Path) -> tuple[RegionKit, list[Path]]:
    kit = RegionKit(tmp_path)
    gers = reference_copy(kit, "gers")
    orne = reference_copy(kit, "orne", features={"spaces": False})
    return kit, [gers, orne]


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
        tmp_path: Path, capsys: pytest.CaptureFixture[str], features: dict[str, bool],
        message: str) -> None:
    kit = RegionKit(tmp_path)
    folder = reference_copy(kit, "orne", features=features)
    assert main(["check", str(folder)]) != 0
    lines = (folder / "region.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index("features:")
    line = next(number for number, text in enumerate(lines, 1)
                if number > start and text.strip().startswith(f"{next(iter(features))}:"))
    reported = next((text for text in capsys.readouterr().err.splitlines()
                     if message in text), "")
    assert f"region.yaml:{line}:" in reported, reported


def test_switching_a_dependent_feature_off_with_its_requirement_is_valid(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kit = RegionKit(tmp_path)
    folder = reference_copy(kit, "orne", features={"inquiries": False, "pipeline": False})
    assert main(["check", str(folder)]) == 0, capsys.readouterr().err
