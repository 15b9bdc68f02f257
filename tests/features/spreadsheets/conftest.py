"""Fixtures shared by the tests of the spreadsheets: the reference regions on an empty
database of each backend, the same with demo members and accounts, reports in English."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts_kit import World, world

from campagne import i18n
from campagne.instance import Instance
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit


@pytest.fixture
def instance(tmp_path: Path, database_url: str) -> Iterator[Instance]:
    """The reference regions on an empty database of each backend."""
    built = RegionKit(tmp_path / "regions", database_url).instance(reference_region_paths())
    yield built
    built.engine.dispose()


@pytest.fixture
def w(tmp_path: Path, database_url: str) -> Iterator[World]:
    """The reference regions with demo members and one account per role."""
    with world(tmp_path, database_url) as built:
        yield built


@pytest.fixture
def english() -> Iterator[None]:
    """Reports in English (the default language is French); modules that want it say
    ``pytestmark = pytest.mark.usefixtures("english")``."""
    token = i18n.current_locale.set("en")
    yield
    i18n.current_locale.reset(token)
