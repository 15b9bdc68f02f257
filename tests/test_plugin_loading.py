"""Finding plug-ins and deciding where they run: region modules only in their region,
shared plug-ins where listed, installed packages (entry points) everywhere unless
disabled or blocked; settings validated per region; routes mounted per region."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from packages_kit import (
    EXAMPLE_MODULE,
    EXAMPLE_PACKAGE,
    OPTIN_MODULE,
    OPTIN_PACKAGE,
    install_project,
    site_folder,
    write_dist_info,
)

from campagne.cli import main
from campagne.cli_plugins import add_plugin_commands
from campagne.errors import ConfigInvalid
from campagne.plugin_loading import build_plugin_manager
from campagne.plugin_manager import CampagnePluginManager
from campagne.plugin_types import CandidateProfile
from campagne.regions import RegionFolder, load_region_folders
from campagne.testing import RegionKit, minimal_region

EXAMPLE = "example_incentive"
OPTIN = "example_optin"
FOUNDER = CandidateProfile(status="founder", commute_days_per_week=5)

SPY = '''
from campagne import hookimpl
from campagne.plugin_types import Incentive

CALLS = []


@hookimpl
def incentives_for_profile(region):
    CALLS.append(region.slug)
    return [Incentive(key="spy-" + region.slug, title={"fr": "Espion"}, eligible=True)]
'''

PAGES = '''
from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from campagne import hookimpl


@hookimpl
def register_api_routes(region):
    router = APIRouter()

    @router.get("/hello")
    def hello():
        return {"region": region.slug}

    return router


@hookimpl
def register_pages(region):
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse)
    def page():
        return "<p>Page of " + region.name + "</p>"

    return router
'''


def kit_region(kit: RegionKit, slug: str, code: str, *, plugins: dict[str, str] | None = None,
               **overrides: Any) -> Path:
    return kit.region(slug, code=code, plugins=plugins,
                      config=minimal_region(slug, code, **overrides))


def manager_for(folders: list[Path], *, load_entry_points: bool = False
                ) -> tuple[CampagnePluginManager, dict[str, RegionFolder]]:
    regions = load_region_folders(folders)
    manager = build_plugin_manager(regions, load_entry_points=load_entry_points)
    return manager, {region.slug: region for region in regions}


def incentive_keys(manager: CampagnePluginManager, region: RegionFolder,
                   profile: CandidateProfile = FOUNDER) -> dict[str, str]:
    """Incentive key -> plug-in name, for ``region``."""
    result = manager.incentives(region.info(), profile)
    assert result.failed_plugins == []
    return {incentive.key: plugin for plugin, incentive in result.incentives}


def load_errors(folders: list[Path], *, load_entry_points: bool = False) -> list[str]:
    with pytest.raises(ConfigInvalid) as caught:
        manager_for(folders, load_entry_points=load_entry_points)
    return [str(error) for error in caught.value.errors]


def line_of(file: Path, needle: str) -> int:
    lines = file.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


# -- region modules ----------------------------------------------------------------


def test_a_region_module_runs_only_for_its_own_region(kit: RegionKit) -> None:
    gers = kit_region(kit, "gers", "32", plugins={"spy.py": SPY})
    orne = kit_region(kit, "orne", "61")
    manager, regions = manager_for([gers, orne])
    record = manager.records["gers.spy"]
    assert (record.source, record.short_name, record.regions) == ("region", "spy", ["gers"])
    assert record.origin == "plugins/spy.py"  # never a server path
    assert record.file == gers / "plugins" / "spy.py"
    assert incentive_keys(manager, regions["orne"]) == {}
    assert incentive_keys(manager, regions["gers"]) == {"spy-gers": "gers.spy"}
    assert record.plugin.CALLS == ["gers"]  # type: ignore[attr-defined]
    assert [r.name for r in manager.enabled_for("orne") if r.source != "builtin"] == []


def added(manager: CampagnePluginManager) -> list[str]:
    """The names of the plug-ins registered beside the engine's own features."""
    return [name for name, record in manager.records.items() if record.source != "builtin"]


def test_modules_of_the_same_name_in_two_regions_stay_apart(kit: RegionKit) -> None:
    gers = kit_region(kit, "gers", "32", plugins={"spy.py": SPY})
    orne = kit_region(kit, "orne", "61", plugins={"spy.py": SPY})
    manager, regions = manager_for([gers, orne])
    assert sorted(added(manager)) == ["gers.spy", "orne.spy"]
    assert incentive_keys(manager, regions["orne"]) == {"spy-orne": "orne.spy"}
    assert incentive_keys(manager, regions["gers"]) == {"spy-gers": "gers.spy"}
    gers_module = manager.records["gers.spy"].plugin
    orne_module = manager.records["orne.spy"].plugin
    assert gers_module is not orne_module
    assert (gers_module.CALLS, orne_module.CALLS) == (["gers"], ["orne"])  # type: ignore[attr-defined]


def test_region_modules_are_loaded_in_file_name_order(kit: RegionKit) -> None:
    folder = kit_region(kit, "lot", "46", plugins={"b_second.py": SPY, "a_first.py": SPY,
                                                   "_private.py": "raise RuntimeError()"})
    manager, _ = manager_for([folder])
    assert added(manager) == ["lot.a_first", "lot.b_second"]
    assert [record.name for record in manager.enabled_for("lot")
            if record.source != "builtin"] == ["lot.a_first", "lot.b_second"]


def test_a_region_module_gets_its_settings_from_region_yaml(kit: RegionKit) -> None:
    source = SPY.replace("CALLS = []", (
        "from pydantic import BaseModel\n\nCALLS = []\n\n\n"
        "class Settings(BaseModel):\n    bonus: int\n"))
    folder = kit.region("lot", plugins={"spy.py": source},
                        config=minimal_region("lot", plugins={"spy": {"bonus": 7}}))
    manager, _ = manager_for([folder])
    settings = manager.records["lot.spy"].settings["lot"]
    assert settings is not None and settings.bonus == 7  # type: ignore[attr-defined]


def test_a_settings_validator_that_crashes_is_reported_at_the_plugin(kit: RegionKit) -> None:
    source = (
        "from pydantic import BaseModel, field_validator\n\n\n"
        "class Settings(BaseModel):\n    bonus: int\n\n"
        "    @field_validator('bonus')\n    @classmethod\n    def _check(cls, value):\n"
        "        return {}[value]\n"
    )
    folder = kit.region("lot", plugins={"crash.py": source},
                        config=minimal_region("lot", plugins={"crash": {"bonus": 1}}))
    errors = load_errors([folder])
    line = line_of(folder / "region.yaml", "crash:")
    assert errors == [f"{folder / 'region.yaml'}:{line}:3: plugins.crash: settings of plug-in "
                      "'crash' could not be checked: KeyError: 1"]


# -- shared plug-ins ---------------------------------------------------------------


def with_support_service(slug: str, code: str, **overrides: Any) -> dict[str, Any]:
    data = minimal_region(slug, code, **overrides)
    data["services"].append({
        "slug": "business-plan", "category": "business_plan",
        "name": {"fr": "Business plan"}, "description": {"fr": "Avec un conseiller."},
        "delivered_by": "CCI d'essai",
    })
    return data


def test_a_shared_plugin_runs_only_where_it_is_listed(kit: RegionKit) -> None:
    lot = kit.region("lot", config=with_support_service(
        "lot", "46", plugins={"business_support": {}}))
    cantal = kit.region("cantal", config=with_support_service("cantal", "15"))
    manager, regions = manager_for([lot, cantal])
    record = manager.records["business_support"]
    assert (record.source, record.origin) == ("shared", "campagne.plugins.business_support")
    assert record.regions == ["lot"]
    lot_keys = incentive_keys(manager, regions["lot"])
    assert lot_keys.get("support-business-plan") == "business_support"
    assert "business_support" not in incentive_keys(manager, regions["cantal"]).values()


def test_a_shared_plugin_is_not_loaded_when_no_region_lists_it(kit: RegionKit) -> None:
    manager, _ = manager_for([kit.region("lot", config=with_support_service("lot", "46"))])
    assert "business_support" not in manager.records


def test_a_region_module_wins_over_a_shared_plugin_of_the_same_name(kit: RegionKit) -> None:
    lot = kit.region("lot", plugins={"business_support.py": SPY},
                     config=minimal_region("lot", plugins={"business_support": None}))
    cantal = kit.region("cantal", config=with_support_service(
        "cantal", "15", plugins={"business_support": {}}))
    manager, regions = manager_for([lot, cantal])
    assert manager.records["lot.business_support"].regions == ["lot"]
    assert manager.records["business_support"].regions == ["cantal"]
    assert incentive_keys(manager, regions["lot"]) == {"spy-lot": "lot.business_support"}


def test_an_unknown_plugin_is_reported_at_its_line(kit: RegionKit) -> None:
    folder = kit.region("lot", config=minimal_region("lot", plugins={"free_ofices": {}}))
    errors = load_errors([folder])
    line = line_of(folder / "region.yaml", "free_ofices")
    assert errors == [f"{folder / 'region.yaml'}:{line}:3: unknown plug-in 'free_ofices': not "
                      "in the region's plugins/, not an installed package, not a shared plug-in"]


# -- installed packages (entry points) -------------------------------------------


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty site folder on ``sys.path`` for this test only."""
    return site_folder(tmp_path, monkeypatch)


@pytest.fixture
def example_installed(site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``tests/example_package`` installed as a distribution."""
    yield install_project(site, EXAMPLE_PACKAGE, EXAMPLE_MODULE, monkeypatch)


@pytest.fixture
def optin_installed(site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``tests/example_optin_package`` (``OPT_IN = True``) installed as a distribution."""
    yield install_project(site, OPTIN_PACKAGE, OPTIN_MODULE, monkeypatch)


def test_the_installed_example_is_a_real_entry_point(example_installed: str) -> None:
    (found,) = [ep for ep in entry_points(group="campagne") if ep.name == EXAMPLE]
    assert found.value == EXAMPLE_MODULE
    assert found.dist is not None and found.dist.name == example_installed
    assert found.load().__name__ == EXAMPLE_MODULE


def test_an_installed_plugin_runs_in_every_region(kit: RegionKit, example_installed: str) -> None:
    lot, cantal = kit_region(kit, "lot", "46"), kit_region(kit, "cantal", "15")
    manager, regions = manager_for([lot, cantal], load_entry_points=True)
    record = manager.records[EXAMPLE]
    assert (record.source, record.origin, record.regions) == (
        "package", example_installed, ["cantal", "lot"])
    assert record.hooks(manager.pm) == [
        "cli_commands", "erase_member_data", "export_member_data", "incentives_for_profile",
        "on_member_event", "register_api_routes", "register_pages", "template_dirs"]
    assert record.table_names == ["example_incentive_claim"] and record.personal_data
    for slug in ("lot", "cantal"):
        result = manager.incentives(regions[slug].info(), FOUNDER)
        (incentive,) = [i for plugin, i in result.incentives if plugin == EXAMPLE]
        assert incentive.yearly_value_eur == 1000
        assert incentive.title["fr"] == f"Prime d'installation ({slug.capitalize()})"


def test_a_region_may_set_an_installed_plugins_settings(kit: RegionKit,
                                                        example_installed: str) -> None:
    lot = kit.region("lot", config=minimal_region(plugins={EXAMPLE: {"bonus_eur": 500}}))
    cantal = kit_region(kit, "cantal", "15")
    manager, regions = manager_for([lot, cantal], load_entry_points=True)
    values = {slug: [i.yearly_value_eur for p, i in manager.incentives(
        regions[slug].info(), FOUNDER).incentives if p == EXAMPLE] for slug in regions}
    assert values == {"lot": [500], "cantal": [1000]}


def test_wrong_settings_of_an_installed_plugin_are_placed_in_region_yaml(
        kit: RegionKit, example_installed: str) -> None:
    lot = kit.region("lot", config=minimal_region(plugins={EXAMPLE: {"bonus_eur": -5}}))
    errors = load_errors([lot], load_entry_points=True)
    line = line_of(lot / "region.yaml", "bonus_eur")
    assert errors == [f"{lot / 'region.yaml'}:{line}:5: plugins.{EXAMPLE}.bonus_eur: Input "
                      "should be greater than or equal to 0"]


def test_disabled_plugins_turns_an_installed_plugin_off_in_one_region(
        kit: RegionKit, example_installed: str) -> None:
    lot = kit_region(kit, "lot", "46")
    cantal = kit_region(kit, "cantal", "15", disabled_plugins=[EXAMPLE])
    manager, regions = manager_for([lot, cantal], load_entry_points=True)
    assert manager.records[EXAMPLE].regions == ["lot"]
    assert "example-relocation-bonus" in incentive_keys(manager, regions["lot"])
    assert "example-relocation-bonus" not in incentive_keys(manager, regions["cantal"])


def test_load_entry_points_false_blocks_installed_plugins(kit: RegionKit,
                                                          example_installed: str) -> None:
    lot = kit.region("lot", config=minimal_region(plugins={EXAMPLE: {"bonus_eur": 5}}))
    cantal = kit_region(kit, "cantal", "15", disabled_plugins=[EXAMPLE])
    # Disabling a package that is installed but not loaded is no error, and reads nothing.
    manager_for([cantal], load_entry_points=False)
    assert EXAMPLE_MODULE not in sys.modules
    # Giving it settings is no error either: they are checked against its Settings model,
    # and the package is not enabled.
    manager, regions = manager_for([lot, cantal], load_entry_points=False)
    assert EXAMPLE not in manager.records
    assert EXAMPLE not in (manager.pm.get_name(plugin) for plugin in manager.pm.get_plugins())
    assert incentive_keys(manager, regions["lot"]) == {}
    assert incentive_keys(manager, regions["cantal"]) == {}


def test_settings_of_a_package_not_loaded_are_still_checked(
        kit: RegionKit, example_installed: str) -> None:
    lot = kit.region("lot", config=minimal_region(plugins={EXAMPLE: {"bonus_eur": -5}}))
    cantal = kit.region("cantal", config=minimal_region(
        "cantal", "15", plugins={EXAMPLE: {"bonus": 5}}))
    errors = load_errors([lot, cantal], load_entry_points=False)
    assert errors == [
        f"{lot / 'region.yaml'}:{line_of(lot / 'region.yaml', 'bonus_eur')}:5: "
        f"plugins.{EXAMPLE}.bonus_eur: Input should be greater than or equal to 0",
        f"{cantal / 'region.yaml'}:{line_of(cantal / 'region.yaml', 'bonus:')}:5: "
        f"unknown key 'plugins.{EXAMPLE}.bonus'"]


def test_a_package_not_loaded_that_fails_to_import_is_named_at_its_settings(
        kit: RegionKit, site: Path) -> None:
    (site / "broken_package.py").write_text("raise RuntimeError('no luck')\n", "utf-8")
    write_dist_info(site, "campagne-broken", "1.0", "[campagne]\nbroken = broken_package\n")
    lot = kit.region("lot", config=minimal_region(plugins={"broken": {"level": 1}}))
    errors = load_errors([lot], load_entry_points=False)
    assert errors == [
        f"{lot / 'region.yaml'}:{line_of(lot / 'region.yaml', 'broken:')}:3: plugins.broken: "
        "settings of plug-in 'broken' could not be checked: the package failed to import: "
        "RuntimeError: no luck"]


def test_disabling_a_package_that_is_not_installed_is_an_error(kit: RegionKit) -> None:
    cantal = kit_region(kit, "cantal", "15", disabled_plugins=[EXAMPLE])
    for load in (True, False):
        errors = load_errors([cantal], load_entry_points=load)
        line = line_of(cantal / "region.yaml", "disabled_plugins")
        assert errors == [f"{cantal / 'region.yaml'}:{line}:1: '{EXAMPLE}' is not an "
                          "installed plug-in package"]


def test_an_installed_plugin_mounts_its_routes_in_every_region(
        kit: RegionKit, example_installed: str) -> None:
    folders = [kit_region(kit, "lot", "46"),
               kit_region(kit, "cantal", "15", disabled_plugins=[EXAMPLE])]
    with kit.client(folders, load_entry_points=True) as client:
        answer = client.get(f"/api/v1/regions/lot/plugins/{EXAMPLE}/bonus")
        assert answer.status_code == 200
        assert answer.json() == {"region": "lot", "bonus_eur": 1000}
        assert client.get(f"/api/v1/regions/cantal/plugins/{EXAMPLE}/bonus").status_code == 404
        listed = {p["name"]: p for p in client.get("/api/v1/plugins").json()}
        assert listed[EXAMPLE]["source"] == "package"
        assert listed[EXAMPLE]["origin"] == example_installed
        assert listed[EXAMPLE]["regions"] == ["lot"]
        assert listed[EXAMPLE]["settings_schema"]["properties"]["bonus_eur"]["default"] == 1000


def test_the_kit_blocks_installed_plugins_by_default(kit: RegionKit,
                                                     example_installed: str) -> None:
    with kit.client([kit_region(kit, "lot", "46")]) as client:
        listed = client.get("/api/v1/plugins").json()
        assert [p["name"] for p in listed if p["source"] != "builtin"] == []


def test_an_installed_package_that_fails_to_import_is_reported(kit: RegionKit,
                                                               site: Path) -> None:
    write_dist_info(site, "campagne-broken", "1.0",
                    "[campagne]\nbroken = campagne_no_such_module\n")
    errors = load_errors([kit_region(kit, "lot", "46")], load_entry_points=True)
    assert len(errors) == 1
    assert errors[0].startswith("<entry point broken of campagne-broken>:1:1: plug-in failed "
                                "to import: ModuleNotFoundError")


def test_campagne_check_validates_installed_plugins(
        kit: RegionKit, example_installed: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("CAMPAGNE_LOAD_ENTRY_POINTS", raising=False)
    good = kit.region("lot", config=minimal_region(plugins={EXAMPLE: {"bonus_eur": 5}}))
    assert main(["check", str(good)]) == 0
    bad = kit.region("cantal", config=minimal_region(
        "cantal", "15", plugins={EXAMPLE: {"bonus": 5}}))
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    message = f"{bad / 'region.yaml'}:{line_of(bad / 'region.yaml', 'bonus:')}:5: unknown " \
              f"key 'plugins.{EXAMPLE}.bonus'"
    assert message in err
    # Not loaded, the package's settings are checked all the same.
    monkeypatch.setenv("CAMPAGNE_LOAD_ENTRY_POINTS", "false")
    assert main(["check", str(bad)]) == 2
    assert message in capsys.readouterr().err
    assert main(["check", str(good)]) == 0


# -- routes ----------------------------------------------------------------------


def test_plugin_routes_mount_under_their_region_and_short_name(kit: RegionKit) -> None:
    folders = [kit_region(kit, "lot", "46", plugins={"visit.py": PAGES}),
               kit_region(kit, "cantal", "15")]
    with kit.client(folders) as client:
        assert client.get("/api/v1/regions/lot/plugins/visit/hello").json() == {"region": "lot"}
        page = client.get("/lot/plugins/visit/")
        assert page.status_code == 200
        assert "<p>Page of Lot</p>" in page.text
        assert client.get("/api/v1/regions/cantal/plugins/visit/hello").status_code == 404
        assert client.get("/cantal/plugins/visit/").status_code == 404
        paths = client.get("/openapi.json").json()["paths"]
        assert "/api/v1/regions/lot/plugins/visit/hello" in paths
        assert not any(path.startswith("/lot/plugins") for path in paths)


# -- the reference regions ---------------------------------------------------------


def test_reference_plugins_run_where_their_region_says(demo_client: TestClient) -> None:
    listed = {p["name"]: p for p in demo_client.get("/api/v1/plugins").json()}
    assert listed["gers.free_offices"]["regions"] == ["gers"]
    assert listed["gers.free_offices"]["source"] == "region"
    assert listed["orne.coworking_network"]["regions"] == ["orne"]
    assert listed["business_support"]["regions"] == ["gers", "orne"]
    assert listed["business_support"]["source"] == "shared"
    assert all(p["status"] == "ok" for p in listed.values()), listed


def test_the_gers_desk_value_is_fifteen_euros_a_day_for_47_weeks(
        demo_client: TestClient) -> None:
    url = "/api/v1/regions/gers/plugins/free_offices/desk-value"
    five = demo_client.get(url, params={"days_per_week": 5})
    assert five.status_code == 200
    # 15 €/day × 5 days × 47 weeks (52 less 5 weeks of paid leave), by hand: 3525.
    assert five.json() == {"days_per_week": 5, "yearly_value_eur": 3525.0, "illustrative": True}
    assert demo_client.get(url).json()["yearly_value_eur"] == 2115.0  # 15 × 3 × 47
    assert demo_client.get(url, params={"days_per_week": 8}).status_code == 422
    assert demo_client.get("/api/v1/regions/orne/plugins/free_offices/desk-value"
                           ).status_code == 404


def test_the_gers_free_offices_incentive_is_3525_for_five_days(reference_paths: list[Path]
                                                               ) -> None:
    manager, regions = manager_for(reference_paths)
    settings = manager.records["gers.free_offices"].settings["gers"]
    assert settings is not None
    assert settings.desk_day_value_eur == 15  # type: ignore[attr-defined]
    result = manager.incentives(regions["gers"].info(), FOUNDER)
    assert result.failed_plugins == []
    (offices,) = [i for plugin, i in result.incentives if plugin == "gers.free_offices"]
    assert offices.yearly_value_eur == 3525
    assert offices.illustrative
    orne = manager.incentives(regions["orne"].info(), FOUNDER)
    assert "gers.free_offices" not in {plugin for plugin, _ in orne.incentives}


def test_the_orne_home_shows_the_telecentres_of_its_plugin(demo_client: TestClient) -> None:
    orne = demo_client.get("/orne/")
    assert orne.status_code == 200
    assert "Boitron" in orne.text and "Bellême" in orne.text
    assert "Boitron" not in demo_client.get("/gers/").text


# -- opt-in packages -------------------------------------------------------------------


def test_an_opt_in_package_runs_only_where_a_region_lists_it(
        kit: RegionKit, optin_installed: str, example_installed: str) -> None:
    lot = kit.region("lot", config=minimal_region(plugins={OPTIN: {"grant_eur": 3000}}))
    cantal = kit.region("cantal", code="15", config=minimal_region("cantal", "15",
                                                                   plugins={OPTIN: None}))
    aveyron = kit_region(kit, "aveyron", "12")
    manager, regions = manager_for([lot, cantal, aveyron], load_entry_points=True)
    record = manager.records[OPTIN]
    assert (record.source, record.opt_in, record.origin) == ("package", True, optin_installed)
    assert record.regions == ["cantal", "lot"]
    # A package that does not opt in still runs everywhere.
    assert manager.records[EXAMPLE].regions == ["aveyron", "cantal", "lot"]
    values = {slug: [i.yearly_value_eur for p, i in manager.incentives(
        regions[slug].info(), FOUNDER).incentives if p == OPTIN] for slug in regions}
    assert values == {"lot": [3000], "cantal": [2000], "aveyron": []}


def test_an_opt_in_packages_settings_are_checked_where_listed(
        kit: RegionKit, optin_installed: str) -> None:
    lot = kit.region("lot", config=minimal_region(plugins={OPTIN: {"grant_eur": -1}}))
    errors = load_errors([lot], load_entry_points=True)
    line = line_of(lot / "region.yaml", "grant_eur")
    assert errors == [f"{lot / 'region.yaml'}:{line}:5: plugins.{OPTIN}.grant_eur: Input "
                      "should be greater than or equal to 0"]


def test_disabling_an_opt_in_package_is_reported(kit: RegionKit, optin_installed: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    lot = kit_region(kit, "lot", "46", disabled_plugins=[OPTIN])
    cantal = kit.region("cantal", code="15", config=minimal_region(
        "cantal", "15", plugins={OPTIN: None}, disabled_plugins=[OPTIN]))
    errors = load_errors([lot, cantal], load_entry_points=True)
    assert errors == [
        f"{lot / 'region.yaml'}:{line_of(lot / 'region.yaml', 'disabled_plugins')}:1: "
        f"'{OPTIN}' is an opt-in package: it runs only in the regions that list it under "
        "plugins:, so disabling it here is not needed; remove it",
        f"{cantal / 'region.yaml'}:{line_of(cantal / 'region.yaml', 'disabled_plugins')}:1: "
        f"'{OPTIN}' is an opt-in package: it runs only in the regions that list it under "
        "plugins:, and this region lists it there too; keep one of the two"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAMPAGNE_LOAD_ENTRY_POINTS", "true")
        assert main(["check", str(lot)]) == 2
    assert "is an opt-in package" in capsys.readouterr().err


def test_an_opt_in_package_listed_while_entry_points_are_not_loaded_is_no_error(
        kit: RegionKit, optin_installed: str) -> None:
    lot = kit.region("lot", config=minimal_region(plugins={OPTIN: {"grant_eur": 5}}))
    manager, regions = manager_for([lot], load_entry_points=False)
    assert OPTIN not in manager.records and incentive_keys(manager, regions["lot"]) == {}


def test_opt_in_must_be_a_boolean(kit: RegionKit, site: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    install_project(site, OPTIN_PACKAGE, OPTIN_MODULE, monkeypatch)
    module = site / OPTIN_MODULE / "__init__.py"
    module.write_text(module.read_text("utf-8").replace("OPT_IN = True", "OPT_IN = 'yes'"),
                      encoding="utf-8")
    errors = load_errors([kit_region(kit, "lot", "46")], load_entry_points=True)
    assert errors == [f"{module}:1:1: OPT_IN must be True or False, not 'yes'"]


def test_hook_cli_commands(example_installed: str, monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture[str]) -> None:
    """An installed package adds a sub-command to ``campagne``; with packages not loaded,
    the command does not exist; a name already taken is refused, naming the package."""
    monkeypatch.setenv("CAMPAGNE_LOAD_ENTRY_POINTS", "true")
    assert main(["example-bonus", "--lang", "en"]) == 0
    assert capsys.readouterr().out.strip() == "€1,000.00 (illustrative)"
    monkeypatch.setenv("CAMPAGNE_LOAD_ENTRY_POINTS", "false")
    with pytest.raises(SystemExit):
        main(["example-bonus"])
    assert "invalid choice: 'example-bonus'" in capsys.readouterr().err
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers()
    commands.add_parser("example-bonus")  # a name taken before the package's turn
    runners = add_plugin_commands(commands, {"example-bonus"}, load_entry_points=True)
    assert "example-bonus" not in runners and {"import", "users"} <= set(runners)
    assert ("plug-in example_incentive: command name(s) example-bonus already taken"
            in capsys.readouterr().err)
