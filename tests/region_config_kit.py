"""Helpers for the tests of ``region.yaml``: the line of a text that holds a needle, and the
errors a region folder is refused with (each checked to read ``region.yaml:LINE:COL: ...``)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from campagne.errors import ConfigError, ConfigInvalid
from campagne.regions import load_region_folder
from campagne.testing import RegionKit

ERROR_LINE = re.compile(r".*region\.yaml:(\d+):(\d+): .+")


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line of ``text`` containing ``needle``."""
    found = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(found) >= occurrence, f"{needle!r} not found {occurrence} time(s)"
    return found[occurrence - 1]


def errors_of(kit: RegionKit, config: dict[str, Any] | str | bytes,
              slug: str = "lot") -> list[ConfigError]:
    """The errors of a region folder whose ``region.yaml`` is ``config``."""
    if isinstance(config, bytes):
        folder = kit.region(slug, config="")
        (folder / "region.yaml").write_bytes(config)
    else:
        folder = kit.region(slug, config=config)
    with pytest.raises(ConfigInvalid) as caught:
        load_region_folder(folder)
    errors = caught.value.errors
    for error in errors:
        assert error.file == folder / "region.yaml"
        assert ERROR_LINE.fullmatch(str(error)), str(error)
    return errors


def only_error(kit: RegionKit, config: dict[str, Any] | str | bytes) -> ConfigError:
    """The one error of a region folder whose ``region.yaml`` is ``config``."""
    errors = errors_of(kit, config)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]
