"""Reading a region folder: every mistake in ``region.yaml`` is reported as
``region.yaml:LINE:COL: message`` at the line to fix."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError
from region_config_kit import errors_of, line_of, only_error

from campagne.config import RegionConfig, Theme, localize
from campagne.errors import ConfigInvalid
from campagne.regions import load_region_folder, load_region_folders, reference_region_paths
from campagne.testing import RegionKit, minimal_region
from campagne.yaml_loader import MAX_BYTES, MAX_DEPTH


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# -- valid folders ---------------------------------------------------------


def test_the_minimal_region_is_valid(kit: RegionKit) -> None:
    folder = load_region_folder(kit.region())
    assert folder.slug == "lot"
    assert folder.config.services[0].slug == "accueil"
    assert folder.plugin_files == []
    assert folder.templates_dir is None and folder.static_dir is None


def test_the_reference_regions_are_valid(reference_paths: list[Path]) -> None:
    assert [path.name for path in reference_paths] == ["gers", "orne"]
    assert reference_region_paths() == reference_paths
    folders = load_region_folders(reference_paths)
    assert [folder.slug for folder in folders] == ["gers", "orne"]
    gers, orne = folders
    assert gers.config.code == "32" and orne.config.code == "61"
    assert "free_offices.py" in [file.name for file in gers.plugin_files]
    assert "coworking_network.py" in [file.name for file in orne.plugin_files]
    assert orne.templates_dir is not None
    members = gers.config.figure("members")
    assert members is not None and members.value == 350
    assert gers.config.figure("nothing") is None
    # Every published figure says where it comes from, or that it is illustrative.
    for folder in folders:
        for figure in folder.config.figures:
            assert figure.source is not None or figure.illustrative, figure.key


def test_a_plain_string_is_french_text(kit: RegionKit) -> None:
    data = minimal_region()
    data["programme"]["audience"] = "Indépendants"
    config = load_region_folder(kit.region(config=data)).config
    assert config.programme.audience == {"fr": "Indépendants"}
    assert localize(config.programme.audience, "en") == "Indépendants"
    assert localize(config.programme.description, "en") == "A test programme."
    assert localize(None, "fr") == ""


def test_plugin_files_are_found_in_name_order_without_private_ones(kit: RegionKit) -> None:
    folder = kit.region(plugins={"b.py": "", "a.py": "", "_helpers.py": "", "notes.txt": ""})
    assert [file.name for file in load_region_folder(folder).plugin_files] == ["a.py", "b.py"]


def test_the_configuration_is_frozen(kit: RegionKit) -> None:
    config = load_region_folder(kit.region()).config
    with pytest.raises(ValidationError):
        config.name = "Autre"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        config.programme.name = "Autre"  # type: ignore[misc]


# -- mistakes in the schema --------------------------------------------------


def test_a_misspelt_key_is_an_unknown_key_at_its_line(kit: RegionKit) -> None:
    text = dump(minimal_region()).replace("programme:", "programe:")
    errors = errors_of(kit, text)
    messages = {error.message: error for error in errors}
    unknown = messages["unknown key 'programe'"]
    assert (unknown.line, unknown.column) == (line_of(text, "programe:"), 1)
    # ... and the key it should have been is missing, reported at the top mapping.
    assert "missing required key 'programme'" in messages


def test_a_misspelt_nested_key_is_reported_at_its_own_line(kit: RegionKit) -> None:
    text = dump(minimal_region()).replace("  operator:", "  operater:")
    errors = errors_of(kit, text)
    unknown = next(e for e in errors if e.message == "unknown key 'operater'")
    assert (unknown.line, unknown.column) == (line_of(text, "operater:"), 3)


def test_a_missing_required_key_is_placed_at_the_mapping_that_should_hold_it(
        kit: RegionKit) -> None:
    data = minimal_region()
    del data["programme"]["operator"]
    text = dump(data)
    error = only_error(kit, text)
    assert error.message == "missing required key 'programme.operator'"
    assert (error.line, error.column) == (line_of(text, "programme:"), 1)


def test_a_missing_key_of_a_list_item_is_placed_at_the_item(kit: RegionKit) -> None:
    data = minimal_region()
    data["services"].append(copy.deepcopy(data["services"][0]))
    data["services"][1]["slug"] = "second"
    del data["services"][1]["delivered_by"]
    text = dump(data)
    error = only_error(kit, text)
    assert error.message == "missing required key 'services.1.delivered_by'"
    assert error.line == line_of(text, "slug: second")


def test_a_value_of_the_wrong_type_is_reported_at_its_line(kit: RegionKit) -> None:
    text = dump(minimal_region()).replace("code: '46'", "code: [4, 6]")
    error = only_error(kit, text)
    assert error.line == line_of(text, "code:")
    assert error.message.startswith("code: ")
    assert "valid string" in error.message


def test_a_mapping_expected_but_text_given(kit: RegionKit) -> None:
    text = dump(minimal_region()) + "population: many\n"
    error = only_error(kit, text)
    assert error.line == line_of(text, "population:")
    assert error.message.startswith("population: ")


def test_an_invalid_slug_is_refused(kit: RegionKit) -> None:
    text = dump(minimal_region()).replace("slug: lot", "slug: Lot et Garonne")
    error = only_error(kit, text)
    assert error.line == line_of(text, "slug: Lot")


def test_an_unknown_service_category_is_refused(kit: RegionKit) -> None:
    text = dump(minimal_region()).replace("category: welcome", "category: teleportation")
    error = only_error(kit, text)
    assert error.line == line_of(text, "category:")
    assert error.message.startswith("services.0.category: ")


def test_a_figure_needs_a_source_or_to_be_illustrative(kit: RegionKit) -> None:
    data = minimal_region(figures=[
        {"key": "members", "label": "membres", "value": 12, "illustrative": True},
        {"key": "villages", "label": "villages", "value": 52},
    ])
    text = dump(data)
    error = only_error(kit, text)
    assert error.line == line_of(text, "key: villages")
    assert error.message == ("figures.1: a figure needs a 'source', or 'illustrative: true' "
                             "when it has none")


def test_a_sourced_figure_is_accepted(kit: RegionKit) -> None:
    data = minimal_region(figures=[{"key": "members", "label": "membres", "value": 350,
                                    "source": {"title": "Challenges", "date": "2011"}}])
    figure = load_region_folder(kit.region(config=data)).config.figures[0]
    assert figure.source is not None and figure.source.title == "Challenges"


def test_a_figure_of_an_unknown_sector_is_refused(kit: RegionKit) -> None:
    data = minimal_region(figures=[{"key": "members", "label": "membres", "value": 3,
                                    "illustrative": True, "sector": "alchemy"}])
    error = only_error(kit, dump(data))
    assert "unknown sector 'alchemy'" in error.message


def test_a_price_needs_a_source_or_to_be_illustrative(kit: RegionKit) -> None:
    data = minimal_region()
    data["services"][0]["price"] = {"free": False, "amount": 12.5}
    text = dump(data)
    error = only_error(kit, text)
    assert error.line == line_of(text, "price:")
    assert error.message == ("services.0.price: a price needs a 'source', or "
                             "'illustrative: true' when it has none")


def test_a_service_that_is_not_free_needs_an_amount(kit: RegionKit) -> None:
    data = minimal_region()
    data["services"][0]["price"] = {"free": False}
    error = only_error(kit, dump(data))
    assert "needs an 'amount'" in error.message


def test_an_illustrative_price_is_accepted(kit: RegionKit) -> None:
    data = minimal_region()
    data["services"][0]["price"] = {"free": False, "amount": 10, "illustrative": True}
    price = load_region_folder(kit.region(config=data)).config.services[0].price
    assert price.amount == 10 and price.illustrative


def test_a_theme_colour_with_too_little_contrast_is_refused(kit: RegionKit) -> None:
    text = dump(minimal_region(theme={"primary_color": "#ffd700"}))
    error = only_error(kit, text)
    assert error.line == line_of(text, "primary_color:")
    assert "#ffd700" in error.message
    assert "4.5:1" in error.message


@pytest.mark.parametrize(("colour", "readable"), [
    ("#1d4e89", True), ("#7a2331", True), ("#245b2c", True), ("#777777", False),
    ("#767676", True), ("#ffffff", False),
])
def test_contrast_threshold_is_wcag_aa(colour: str, readable: bool) -> None:
    # #767676 on white is the classic 4.54:1; #777777 falls just below 4.5:1.
    if readable:
        assert Theme(primary_color=colour).primary_color == colour
    else:
        with pytest.raises(ValidationError):
            Theme(primary_color=colour)


def test_a_localized_text_needs_french(kit: RegionKit) -> None:
    data = minimal_region()
    data["programme"]["audience"] = {"en": "Independents"}
    text = dump(data)
    error = only_error(kit, text)
    assert error.line == line_of(text, "audience:")
    assert error.message == "programme.audience: a French text ('fr') is required"


def test_a_localized_text_in_an_unsupported_language_is_refused(kit: RegionKit) -> None:
    data = minimal_region()
    data["services"][0]["name"] = {"fr": "Accueil", "de": "Empfang"}
    error = only_error(kit, dump(data))
    assert "unsupported language(s): de" in error.message


def test_duplicate_service_slugs_are_refused_at_the_second(kit: RegionKit) -> None:
    data = minimal_region()
    data["services"].append(copy.deepcopy(data["services"][0]))
    text = dump(data)
    error = only_error(kit, text)
    assert error.line == line_of(text, "slug: accueil", occurrence=2)
    assert error.message == ("services: service slug 'accueil' is given twice "
                             f"(first given on line {line_of(text, 'slug: accueil')})")


def test_duplicate_figure_keys_are_refused_at_the_second(kit: RegionKit) -> None:
    figure = {"key": "members", "label": "membres", "value": 1, "illustrative": True}
    text = dump(minimal_region(figures=[figure, {**figure, "value": 2}]))
    error = only_error(kit, text)
    assert error.line == line_of(text, "key: members", occurrence=2)
    assert "figure key 'members' is given twice" in error.message


def test_an_invalid_plugin_name_is_reported_at_its_line(kit: RegionKit) -> None:
    text = dump(minimal_region(plugins={"Free Offices": {}}))
    error = only_error(kit, text)
    assert error.line == line_of(text, "Free Offices")
    assert "plug-in name 'Free Offices' is not a valid name" in error.message


def test_several_mistakes_are_all_reported(kit: RegionKit) -> None:
    data = minimal_region(theme={"primary_color": "#ffff00"})
    data["programme"]["audience"] = {"en": "Independents"}
    data["services"][0]["price"] = {"free": False, "amount": 3}
    assert len(errors_of(kit, dump(data))) == 3


# -- mistakes in the YAML itself ----------------------------------------------


def test_a_duplicate_key_is_reported_with_the_line_of_the_first(kit: RegionKit) -> None:
    text = dump(minimal_region()) + "name: Lot bis\n"
    error = only_error(kit, text)
    assert error.line == line_of(text, "name: Lot bis")
    assert f"first given on line {line_of(text, 'name: Lot')}" in error.message


def test_non_utf8_bytes_are_reported_at_their_line(kit: RegionKit) -> None:
    raw = dump(minimal_region()).encode("utf-8").replace(b"On vous", b"On \xe0 vous")
    error = only_error(kit, raw)
    assert error.line == line_of(dump(minimal_region()), "On vous")
    assert "not valid UTF-8" in error.message


def test_an_alias_bomb_is_refused(kit: RegionKit) -> None:
    text = dump(minimal_region()) + (
        "figures: &a [{key: a, label: a, value: 1, illustrative: true}]\n"
        "extra: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "more: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    )
    error = only_error(kit, text)
    assert error.line == line_of(text, "extra:")
    assert "aliases" in error.message


def test_a_single_alias_is_refused(kit: RegionKit) -> None:
    text = dump(minimal_region()).replace("operator: CCI d'essai",
                                          "operator: &op CCI d'essai")
    text = text.replace("delivered_by: CCI d'essai", "delivered_by: *op")
    error = only_error(kit, text)
    assert error.line == line_of(text, "delivered_by:")


def test_a_python_object_tag_is_refused(kit: RegionKit) -> None:
    text = dump(minimal_region()) + "population: !!python/object:os.system {}\n"
    error = only_error(kit, text)
    assert error.line == line_of(text, "population:")
    assert "tag '!!python/object:os.system' is not allowed" in error.message


def test_deep_nesting_is_refused(kit: RegionKit) -> None:
    text = dump(minimal_region()) + "plugins:\n  deep: {a: " + "[" * 5000 + "]" * 5000 + "}\n"
    error = only_error(kit, text)
    assert error.line == line_of(text, "deep:")
    assert f"nesting is deeper than {MAX_DEPTH} levels" in error.message


def test_a_file_over_the_size_limit_is_refused(kit: RegionKit) -> None:
    text = dump(minimal_region()) + "#" * MAX_BYTES + "\n"
    error = only_error(kit, text)
    assert (error.line, error.column) == (1, 1)
    assert "larger than" in error.message


@pytest.mark.parametrize("text", ["", "\n", "# nothing yet\n"])
def test_an_empty_file_is_refused(kit: RegionKit, text: str) -> None:
    error = only_error(kit, text)
    assert (error.line, error.column) == (1, 1)
    assert error.message == "expected a mapping of keys"


@pytest.mark.parametrize("text", ["- slug: lot\n- slug: gers\n", "just some text\n"])
def test_a_top_level_list_or_text_is_refused(kit: RegionKit, text: str) -> None:
    error = only_error(kit, text)
    assert (error.line, error.column) == (1, 1)
    assert error.message == "expected a mapping of keys"


def test_a_syntax_error_is_reported_at_its_line(kit: RegionKit) -> None:
    text = dump(minimal_region()).replace("name: Lot\n", "name: [Lot\n")
    error = only_error(kit, text)
    # The flow list opened on "name:" runs on until a colon the parser cannot accept.
    assert (error.line, error.column) == (line_of(text, "administrative_region:"), 22)
    assert error.message == "expected ',' or ']', but got ':'"


# -- folders ----------------------------------------------------------------


def test_a_missing_folder_or_file_is_an_error(kit: RegionKit, tmp_path: Path) -> None:
    with pytest.raises(ConfigInvalid) as caught:
        load_region_folder(tmp_path / "nowhere")
    assert caught.value.errors[0].message == "not a folder"
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigInvalid) as caught:
        load_region_folder(tmp_path / "empty")
    expected = f"{tmp_path / 'empty' / 'region.yaml'}:1:1: file not found"
    assert str(caught.value.errors[0]) == expected


def test_errors_of_every_folder_are_collected(kit: RegionKit) -> None:
    good = kit.region("lot")
    bad_yaml = kit.region("cantal", config=dump(minimal_region("cantal", "15")) + "name: X\n")
    bad_schema = kit.region("aveyron", config=dump(minimal_region("aveyron", "12", theme={
        "primary_color": "#eeeeee"})))
    with pytest.raises(ConfigInvalid) as caught:
        load_region_folders([good, bad_yaml, bad_schema])
    files = [error.file for error in caught.value.errors]
    assert files == [bad_yaml / "region.yaml", bad_schema / "region.yaml"]


def test_two_folders_with_the_same_slug_are_refused(kit: RegionKit) -> None:
    first = kit.region("lot")
    second = kit.root / "lot-copy"
    second.mkdir()
    (second / "region.yaml").write_text(dump(minimal_region("lot")), encoding="utf-8")
    with pytest.raises(ConfigInvalid) as caught:
        load_region_folders([first, second])
    (error,) = caught.value.errors
    assert error.file == second / "region.yaml"
    assert error.line == 1
    assert f"already used by {first / 'region.yaml'}" in error.message


def test_the_schema_rejects_unknown_keys_in_code_too() -> None:
    with pytest.raises(ValidationError):
        RegionConfig.model_validate({**minimal_region(), "programe": {}})
