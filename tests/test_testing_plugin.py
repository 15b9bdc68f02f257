"""Campagne's pytest plug-in, as a plug-in package's own tests meet it: a folder with no
conftest.py, where the fixtures come from the installed ``pytest11`` entry point alone."""

from __future__ import annotations

import textwrap
from importlib.metadata import entry_points

import pytest

pytest_plugins = ["pytester"]

PACKAGE_TESTS = '''
from pathlib import Path

import yaml

from campagne.testing import RegionKit


def test_region_kit(region_kit: RegionKit) -> None:
    folder = region_kit.region("lot")
    with region_kit.client([folder]) as client:
        assert client.get("/api/v1/regions/lot/services").status_code == 200


def test_reference_region_copy(region_kit: RegionKit, reference_region_copy) -> None:
    folder = reference_region_copy("orne", features={"spaces": False})
    assert folder.parent == region_kit.root
    config = yaml.safe_load((folder / "region.yaml").read_text(encoding="utf-8"))
    assert config["slug"] == "orne" and config["features"] == {"spaces": False}


def test_reference_paths(reference_paths: list[Path]) -> None:
    assert sorted(path.name for path in reference_paths) == ["gers", "orne"]


def test_database_url(database_url: str) -> None:
    assert database_url.startswith(("sqlite:///", "postgresql"))


def test_postgres_url(postgres_url: str) -> None:
    assert postgres_url


def test_chromium(chromium: Path) -> None:
    assert chromium.is_file()
'''


@pytest.fixture
def package_tests(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
                  ) -> pytest.Pytester:
    """A plug-in package's tests folder: one test module, no conftest.py."""
    pytester.makepyfile(test_my_plugin=textwrap.dedent(PACKAGE_TESTS))
    monkeypatch.delenv("CAMPAGNE_TEST_POSTGRES_URL", raising=False)
    monkeypatch.delenv("CAMPAGNE_TEST_REQUIRE_BROWSER", raising=False)
    monkeypatch.setenv("CAMPAGNE_CHROMIUM", str(pytester.path / "no-chromium"))
    return pytester


def test_the_plugin_is_an_installed_pytest11_entry_point() -> None:
    (found,) = [ep for ep in entry_points(group="pytest11") if ep.value.startswith("campagne")]
    assert (found.name, found.value) == ("campagne.testing_plugin", "campagne.testing_plugin")


def test_a_package_gets_the_fixtures_without_a_conftest(package_tests: pytest.Pytester) -> None:
    result = package_tests.runpytest_subprocess("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(passed=4, skipped=3)
    result.stdout.fnmatch_lines([
        "*PostgreSQL not configured: set CAMPAGNE_TEST_POSTGRES_URL*",
        "*no Chromium at *no-chromium (install Debian's chromium*",
    ])


def test_a_required_browser_that_is_missing_stops_the_run(
        package_tests: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAGNE_TEST_REQUIRE_BROWSER", "1")
    result = package_tests.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*CAMPAGNE_TEST_REQUIRE_BROWSER=1 but there is no *no-chromium"])


def test_naming_the_plugin_again_does_not_register_it_twice(
        package_tests: pytest.Pytester) -> None:
    package_tests.makeconftest('pytest_plugins = ["campagne.testing_plugin"]')
    result = package_tests.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, skipped=3)
