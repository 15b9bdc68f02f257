"""The strict YAML reader: what it refuses, and where it says the problem is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from campagne.errors import ConfigError, ConfigInvalid
from campagne.yaml_loader import MAX_BYTES, MAX_DEPTH, load_yaml_file, load_yaml_text

FILE = Path("regions/lot/region.yaml")


def refused(text: str) -> ConfigError:
    """The single error ``text`` is refused with."""
    with pytest.raises(ConfigInvalid) as caught:
        load_yaml_text(text, FILE)
    assert len(caught.value.errors) == 1, caught.value.errors
    return caught.value.errors[0]


def refused_file(path: Path) -> ConfigError:
    with pytest.raises(ConfigInvalid) as caught:
        load_yaml_file(path)
    assert len(caught.value.errors) == 1, caught.value.errors
    return caught.value.errors[0]


def test_a_valid_document_keeps_the_position_of_every_key_and_item() -> None:
    text = ("# a comment\nslug: lot\nprogramme:\n  name: Essai\n"
            "services:\n  - slug: a\n  - slug: b\n")
    loaded = load_yaml_text(text, FILE)
    assert loaded.data == {"slug": "lot", "programme": {"name": "Essai"},
                           "services": [{"slug": "a"}, {"slug": "b"}]}
    assert loaded.positions[("slug",)] == (2, 1)
    assert loaded.positions[("programme", "name")] == (4, 3)
    assert loaded.positions[("services", 1)] == (7, 5)
    assert loaded.positions[("services", 1, "slug")] == (7, 5)
    # An unknown place falls back to its closest known parent.
    assert loaded.position_of(("programme", "operator")) == (3, 1)
    error = loaded.error_at(("services", 0, "price"), "needs a source")
    assert str(error) == f"{FILE}:6:5: needs a source"


def test_errors_read_as_file_line_column_message() -> None:
    error = refused("slug: lot\nname: [unclosed\ncode: '46'\n")
    assert re.fullmatch(rf"{re.escape(str(FILE))}:\d+:\d+: .+", str(error))
    assert str(ConfigInvalid([error])) == str(error)


def test_a_syntax_error_points_at_its_line() -> None:
    error = refused("slug: lot\nname: Lot\nservices: [a, b\ncode: '46'\n")
    assert error.line == 4
    assert error.file == FILE


def test_a_duplicate_key_is_refused_and_the_first_one_named() -> None:
    error = refused("slug: lot\nname: Lot\ncode: '46'\nname: Lot bis\n")
    assert (error.line, error.column) == (4, 1)
    assert "duplicate key 'name'" in error.message
    assert "first given on line 2" in error.message


def test_a_duplicate_key_inside_a_list_item_is_refused_too() -> None:
    error = refused("services:\n  - slug: a\n    name: A\n    slug: b\n")
    assert (error.line, error.column) == (4, 5)
    assert "first given on line 2" in error.message


def test_any_alias_is_refused_even_a_harmless_one() -> None:
    error = refused("name: &name Lot\ntitle: *name\n")
    assert error.line == 2
    assert "aliases" in error.message


def test_an_anchor_without_alias_is_harmless() -> None:
    assert load_yaml_text("name: &name Lot\n", FILE).data == {"name": "Lot"}


def test_the_billion_laughs_bomb_is_refused_at_its_first_alias() -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [{', '.join([f'*{previous}'] * 9)}]\n"
    error = refused(bomb)
    assert error.line == 2
    assert "aliases" in error.message


@pytest.mark.parametrize(("text", "tag"), [
    ("name: !!python/object:os.system {}\n", "!!python/object:os.system"),
    ("name: !!python/object/apply:os.system [echo]\n", "!!python/object/apply:os.system"),
    ("name: !!python/name:os.system\n", "!!python/name:os.system"),
    ("name: !custom value\n", "!custom"),
    ("services: !!set {a, b}\n", "!!set"),
    ("logo: !!binary aGVsbG8=\n", "!!binary"),
    ("? !!python/name:os.system\n: value\n", "!!python/name:os.system"),
])
def test_tags_outside_the_safe_set_are_refused(text: str, tag: str) -> None:
    error = refused("slug: lot\n" + text)
    assert error.line == 2
    assert error.message == f"tag '{tag}' is not allowed in configuration files"


def test_plain_values_keep_their_usual_types() -> None:
    data = load_yaml_text("a: 1\nb: 1.5\nc: true\nd: null\ne: '46'\nf: 2018-06-01\n", FILE).data
    assert data["a"] == 1 and data["b"] == 1.5 and data["c"] is True and data["d"] is None
    assert data["e"] == "46"
    assert str(data["f"]) == "2018-06-01"


def test_a_key_that_is_a_list_is_refused() -> None:
    error = refused("slug: lot\n? [a, b]\n: value\n")
    assert error.line == 2
    assert "keys must be plain text" in error.message


def nested(depth: int) -> str:
    """A document whose deepest value sits ``depth`` levels below the top mapping."""
    return "slug: lot\nvalue: " + "[" * depth + "]" * depth + "\n"


def test_nesting_up_to_the_limit_is_accepted() -> None:
    data = load_yaml_text(nested(MAX_DEPTH), FILE).data
    assert data["slug"] == "lot"


def test_nesting_beyond_the_limit_is_refused() -> None:
    error = refused(nested(MAX_DEPTH + 1))
    assert error.line == 2
    assert f"nesting is deeper than {MAX_DEPTH} levels" in error.message


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_very_deep_nesting_is_refused_without_exhausting_the_stack(depth: int) -> None:
    # Python's own recursion limit (1000) must never be what stops the reader.
    for text in (nested(depth), "slug: lot\nvalue: " + "{a: " * depth + "1" + "}" * depth):
        error = refused(text)
        assert error.line == 2
        assert "nesting is deeper than" in error.message


def test_deep_block_nesting_is_refused_at_its_line() -> None:
    lines = ["slug: lot"] + [" " * level + f"k{level}:" for level in range(MAX_DEPTH + 5)]
    error = refused("\n".join(lines) + "\n" + " " * (MAX_DEPTH + 5) + "end\n")
    assert error.line == MAX_DEPTH + 2
    assert "nesting is deeper than" in error.message


def test_a_file_over_the_size_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "region.yaml"
    path.write_bytes(b"slug: lot\n" + b"# padding\n" * (MAX_BYTES // 10))
    assert path.stat().st_size > MAX_BYTES
    error = refused_file(path)
    assert (error.file, error.line, error.column) == (path, 1, 1)
    assert f"larger than {MAX_BYTES} bytes" in error.message


def test_a_file_at_the_size_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "region.yaml"
    head = b"slug: lot\n"
    path.write_bytes(head + b"#" * (MAX_BYTES - len(head)))
    assert path.stat().st_size == MAX_BYTES
    assert load_yaml_file(path).data == {"slug": "lot"}


def test_non_utf8_bytes_are_refused_at_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "region.yaml"
    path.write_bytes(b"slug: lot\nname: Lot\nprogramme:\n  name: Pr\xe9sentation\n"
                     b"  operator: CCI\n")
    error = refused_file(path)
    assert (error.line, error.column) == (4, 11)
    assert "not valid UTF-8" in error.message


def test_utf8_text_is_read_with_its_accents(tmp_path: Path) -> None:
    path = tmp_path / "region.yaml"
    path.write_text("name: Télétravailler dans l'Orne\n", encoding="utf-8")
    assert load_yaml_file(path).data == {"name": "Télétravailler dans l'Orne"}


def test_an_empty_document_gives_no_data() -> None:
    assert load_yaml_text("", FILE).data is None
    assert load_yaml_text("# only a comment\n", FILE).data is None


def test_a_served_instance_keeps_no_positions_once_its_files_are_checked(
        tmp_path: Path) -> None:
    """A server keeps one configuration per region: their positions (as heavy as the
    configurations) go once the plug-ins' settings have been checked against them."""
    from campagne.testing import RegionKit

    kit = RegionKit(tmp_path)
    folder = kit.region("lot")
    assert load_yaml_file(folder / "region.yaml").positions  # while reading: every value's
    instance = kit.instance([folder])
    source = instance.regions["lot"].source
    assert (source.path, source.data, source.positions) == (folder / "region.yaml", None, {})
    assert source.error_at(("name",), "late").line == 1  # placed at the file, not lost
    instance.engine.dispose()
