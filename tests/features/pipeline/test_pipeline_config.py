"""The ``pipeline:`` section of ``region.yaml``: optional, strict, and every mistake
reported at its line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from region_config_kit import line_of, only_error

from campagne.config import default_pipeline
from campagne.regions import load_region_folder, reference_region_paths
from campagne.testing import RegionKit, minimal_region


def stages(*specs: dict[str, Any]) -> dict[str, Any]:
    """A region whose pipeline has ``specs`` as stages."""
    return minimal_region(pipeline={"stages": list(specs)})


def stage(key: str, **flags: Any) -> dict[str, Any]:
    return {"key": key, "label": {"fr": key.capitalize(), "en": key}, **flags}


def test_the_default_pipeline_applies_without_a_section(kit: RegionKit) -> None:
    config = load_region_folder(kit.region("lot")).config
    assert [s.key for s in config.pipeline.stages] == [
        "new", "contacted", "discovery_visit", "project_under_way", "settled", "not_pursued"]
    assert config.pipeline.entry.key == "new"
    assert config.pipeline.settled_stage.key == "settled"
    assert config.pipeline.stage("not_pursued").closed  # type: ignore[union-attr]
    assert config.pipeline == default_pipeline()
    assert config.pipeline.stage("contacted").label == {  # type: ignore[union-attr]
        "fr": "Contacté", "en": "Contacted"}


def test_a_region_sets_its_own_stages() -> None:
    orne = load_region_folder(next(p for p in reference_region_paths() if p.name == "orne"))
    keys = [s.key for s in orne.config.pipeline.stages]
    assert "taster_day" in keys and orne.config.pipeline.settled_stage.key == "settled"


def test_exactly_one_settled_stage(kit: RegionKit) -> None:
    config = stages(stage("new"), stage("here", settled=True), stage("there", settled=True))
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    error = only_error(kit, text)
    assert "exactly one stage must be marked 'settled: true' (found 2)" in error.message
    assert error.line == line_of(text, "settled: true", 2)
    none = only_error(kit, stages(stage("new"), stage("done", closed=True)))
    assert "(found 0)" in none.message


def test_duplicate_keys_and_bad_stages_are_placed(kit: RegionKit) -> None:
    text = yaml.safe_dump(stages(stage("new"), stage("won", settled=True), stage("new")),
                          allow_unicode=True, sort_keys=False)
    error = only_error(kit, text)
    assert "stage key 'new' is given twice (first given on line" in error.message
    assert error.line == line_of(text, "key: new", 2)
    both = only_error(kit, stages(stage("new"), stage("won", settled=True, closed=True)))
    assert "cannot be both 'settled' and 'closed'" in both.message
    first = only_error(kit, stages(stage("gone", closed=True), stage("won", settled=True)))
    assert "the first stage receives new inquiries" in first.message
    unknown = only_error(kit, stages(stage("new", colour="red"), stage("won", settled=True)))
    assert unknown.message == "unknown key 'colour'"
    bad = only_error(kit, stages(stage("New Stage"), stage("won", settled=True)))
    assert bad.message.startswith("pipeline.stages.0.key:")


def test_the_reference_regions_stay_valid(tmp_path: Path) -> None:
    for path in reference_region_paths():
        assert load_region_folder(path).config.pipeline.settled_stage
