"""What a plug-in author meets when something goes wrong: a failing plug-in's variable is
missing from a region's template, never a 500; a failure is recorded once per call; an
import error is placed at the line that raised, with its traceback on demand."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import campagne.plugins
from campagne.cli import EXIT_INVALID, main
from campagne.plugin_loading import build_plugin_manager
from campagne.plugin_manager import CampagnePluginManager
from campagne.regions import load_region_folders
from campagne.testing import RegionKit, minimal_region
from campagne.toolkit import MemberEvent

HOOK = "from campagne.toolkit import hookimpl\n\n\n"

FAILING_FIGURES = HOOK + '''@hookimpl
def extra_template_vars(page):
    raise RuntimeError("figures unavailable on " + page)
'''

FIGURES_HOME = {"region_home.html": (
    '{% extends "core:region_home.html" %}{% block region_extra %}'
    '<p id="figures">[{{ figure|money }}|{{ figure.value|money }}|{{ next_meetup|day }}|'
    '{{ share|percent }}|{{ count|number }}|{{ label|t }}]</p>{% endblock %}')}


def plugins_api(client: Any) -> dict[str, dict[str, Any]]:
    answer = client.get("/api/v1/plugins")
    assert answer.status_code == 200
    return {plugin["name"]: plugin for plugin in answer.json()}


def hooks_failed(client: Any, plugin: str) -> list[str]:
    return [failure["hook"] for failure in plugins_api(client)[plugin]["failures"]]


# -- a failing extra_template_vars -------------------------------------------------


def test_a_region_template_renders_without_the_variables_of_a_failing_plugin(
        kit: RegionKit) -> None:
    folder = kit.region(plugins={"figures.py": FAILING_FIGURES}, templates=FIGURES_HOME)
    with kit.client([folder]) as client:
        for path in ("/lot/", "/lot/?lang=en"):
            home = client.get(path)
            assert home.status_code == 200, home.text[:300]
            assert '<p id="figures">[|||||]</p>' in home.text
        assert hooks_failed(client, "lot.figures") == ["extra_template_vars"] * 2
        [failure, _] = plugins_api(client)["lot.figures"]["failures"]
        assert failure["message"] == "RuntimeError: figures unavailable on region_home"


def test_the_variables_render_when_the_plugin_gives_them(kit: RegionKit) -> None:
    giving = HOOK + '''import datetime as dt


@hookimpl
def extra_template_vars(page):
    return {"figure": 1200, "next_meetup": dt.date(2026, 11, 26), "share": 0.2,
            "count": 1234, "label": {"fr": "Oui", "en": "Yes"}}
'''
    folder = kit.region(plugins={"figures.py": giving}, templates=FIGURES_HOME)
    with kit.client([folder]) as client:
        home = client.get("/lot/?lang=en")
        assert home.status_code == 200
        assert '<p id="figures">[€1,200.00||November 26, 2026|20.0%|1,234|Yes]</p>' in home.text
        assert hooks_failed(client, "lot.figures") == []


# -- one failure per call ----------------------------------------------------------


def giving_shared(value: str) -> str:
    return HOOK + f'''@hookimpl
def extra_template_vars():
    return {{"shared": "{value}", "own_{value}": "{value}"}}
'''


def test_a_variable_given_by_three_plugins_is_one_failure_of_each(kit: RegionKit) -> None:
    folder = kit.region(plugins={f"{name}.py": giving_shared(name)
                                 for name in ("alpha", "beta", "gamma")})
    with kit.client([folder]) as client:
        assert client.get("/lot/").status_code == 200
        listed = plugins_api(client)
    messages = {name: [failure["message"] for failure in listed[f"lot.{name}"]["failures"]]
                for name in ("alpha", "beta", "gamma")}
    assert messages == {
        "alpha": ["ValueError: variable 'shared' is also given by lot.beta, lot.gamma"],
        "beta": ["ValueError: variable 'shared' is also given by lot.alpha, lot.gamma"],
        "gamma": ["ValueError: variable 'shared' is also given by lot.alpha, lot.beta"],
    }


WRONG_NOTES = HOOK + '''@hookimpl
def on_member_event(event):
    return "not a list of notes"
'''


def loaded(kit: RegionKit, plugins: dict[str, str]) -> tuple[CampagnePluginManager, Any]:
    folder = kit.region("lot", plugins=plugins, config=minimal_region("lot"))
    (region,) = load_region_folders([folder])
    return build_plugin_manager([region], load_entry_points=False), region.info()


@pytest.mark.parametrize("notify", ["notify_member_event", "member_event_notes"])
def test_a_wrong_answer_to_a_member_event_is_one_failure_whatever_the_path(
        kit: RegionKit, notify: str) -> None:
    manager, region = loaded(kit, {"wrong.py": WRONG_NOTES})
    event = MemberEvent(kind="service_used", region_slug="lot", member_id=1,
                        service_slug="accueil", occurred_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
    getattr(manager, notify)(region, event)
    [failure] = manager.records["lot.wrong"].failures
    assert failure.hook == "on_member_event"
    assert failure.message.startswith("TypeError: expected a list of TimelineNote")


# -- import errors at the line that raised -------------------------------------------


@pytest.fixture
def shared_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder searched for shared plug-ins (``campagne.plugins.<name>``), for this test."""
    folder = tmp_path / "shared"
    folder.mkdir()
    monkeypatch.setattr(campagne.plugins, "__path__", [*campagne.plugins.__path__, str(folder)])
    yield folder
    for name in [name for name in sys.modules if name.startswith("campagne.plugins.broken")]:
        del sys.modules[name]


def check(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, list[str]]:
    status = main(["check", *arguments])
    lines = [line for line in capsys.readouterr().err.splitlines()
             if not line.startswith("INFO ")]
    return status, lines


def test_a_shared_plugin_that_fails_to_import_is_placed_at_the_line_that_raised(
        kit: RegionKit, shared_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plugin = shared_folder / "broken_shared.py"
    plugin.write_text("VALUE = 1\n\nraise RuntimeError('no network here')\n", encoding="utf-8")
    lot = kit.region("lot", config=minimal_region("lot", plugins={"broken_shared": {}}))
    cantal = kit.region("cantal", config=minimal_region(
        "cantal", "15", plugins={"broken_shared": {}}))
    status, lines = check(capsys, str(lot), str(cantal))
    assert status == EXIT_INVALID
    assert lines == [f"{plugin}:3:1: plug-in 'broken_shared' failed to import: RuntimeError: "
                     "no network here", "campagne: 1 error(s) found."]


def test_an_installed_package_that_fails_to_import_is_placed_at_the_line_that_raised(
        kit: RegionKit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site-packages"
    package = site / "broken_package"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from broken_package import part\n", "utf-8")
    (package / "part.py").write_text("A = 1\nB = {}\nC = B['missing']\n", "utf-8")
    dist_info = site / "campagne_broken-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: campagne-broken\nVersion: 1.0\n", "utf-8")
    (dist_info / "entry_points.txt").write_text("[campagne]\nbroken = broken_package\n", "utf-8")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("CAMPAGNE_LOAD_ENTRY_POINTS", "true")
    status, lines = check(capsys, str(kit.region("lot")))
    assert status == EXIT_INVALID
    assert lines == [f"{package / 'part.py'}:3:1: plug-in failed to import: KeyError: "
                     "'missing'", "campagne: 1 error(s) found."]


def test_check_verbose_prints_the_traceback_of_an_import_error(
        kit: RegionKit, capsys: pytest.CaptureFixture[str]) -> None:
    source = "def load():\n    raise RuntimeError('no network here')\n\n\nload()\n"
    lot = kit.region("lot", plugins={"broken.py": source})
    plugin = lot / "plugins" / "broken.py"
    status, quiet = check(capsys, str(lot))
    assert status == EXIT_INVALID
    first = f"{plugin}:2:1: plug-in failed to import: RuntimeError: no network here"
    assert quiet == [first, "campagne: 1 error(s) found."]
    status, verbose = check(capsys, "--verbose", str(lot))
    assert status == EXIT_INVALID
    assert verbose[0] == first and verbose[-1] == quiet[-1]
    traceback = verbose[1:-1]
    assert traceback[0] == "    Traceback (most recent call last):"
    assert f'      File "{plugin}", line 5, in <module>' in traceback
    assert f'      File "{plugin}", line 2, in load' in traceback
    assert traceback[-1] == "    RuntimeError: no network here"
