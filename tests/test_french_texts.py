"""French typography of the texts regions publish (the catalogue has its own test in test_i18n)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
REGION_FILES = sorted((ROOT / "regions").glob("*/region.yaml"))

# A plain space where French wants a no-break one: before « : ; ! ? » and after « «.
PLAIN_SPACE_BEFORE_PUNCTUATION = re.compile(r" [:;!?»]|« ")
STRAIGHT_DOUBLE_QUOTE = re.compile(r'"')


def french_texts(node: object, where: str) -> Iterator[tuple[str, str]]:
    """Every text under a ``fr`` key of a region file, with the path of keys that leads to it."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "fr" and isinstance(value, str):
                yield where, value
            else:
                yield from french_texts(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from french_texts(item, f"{where}[{index}]")


def test_regions_are_found() -> None:
    assert REGION_FILES


@pytest.mark.parametrize("path", REGION_FILES, ids=lambda path: path.parent.name)
def test_french_typography_in_region_files(path: Path) -> None:
    texts = list(french_texts(yaml.safe_load(path.read_text(encoding="utf-8")), path.parent.name))
    assert texts
    faults = [(where, text) for where, text in texts
              if PLAIN_SPACE_BEFORE_PUNCTUATION.search(text) or STRAIGHT_DOUBLE_QUOTE.search(text)]
    assert not faults, "\n".join(f"{where}: {text!r}" for where, text in faults)
