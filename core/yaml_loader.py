"""A strict YAML reader that remembers where every value came from.

It refuses what a configuration file never needs and an attacker might send:
aliases (the "billion laughs" bomb), duplicate keys, non-UTF-8 bytes, tags
outside the safe set, files above :data:`MAX_BYTES` and nesting deeper than
:data:`MAX_DEPTH`. Every value keeps its line and column, so that a schema
error found later can still be reported as ``file:line:col``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from campagne.errors import ConfigError, ConfigInvalid

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 40

Location = tuple[str | int, ...]


@dataclass
class LoadedYaml:
    """The parsed data and the position (line, column; 1-based) of every value and key."""

    path: Path
    data: Any
    positions: dict[Location, tuple[int, int]] = field(default_factory=dict)

    def position_of(self, location: Location) -> tuple[int, int]:
        """Return the position of ``location``, or of its closest known parent."""
        for end in range(len(location), -1, -1):
            found = self.positions.get(tuple(location[:end]))
            if found:
                return found
        return (1, 1)

    def error_at(self, location: Location, message: str) -> ConfigError:
        """Build a :class:`ConfigError` placed at ``location``."""
        line, column = self.position_of(location)
        return ConfigError(self.path, line, column, message)

    def released(self) -> LoadedYaml:
        """The same file without its data and positions, once everything read from it has
        been checked: a server keeps one per region, and a region's positions weigh about
        as much as its configuration (an error placed later falls back to line 1)."""
        return LoadedYaml(self.path, None)


YAML_TAG = "tag:yaml.org,2002:"
#: The only tags a value may carry (explicitly or, usually, implicitly).
SCALAR_TAGS = frozenset(YAML_TAG + name for name in ("null", "bool", "int", "float", "str",
                                                     "timestamp"))
MAPPING_TAG = YAML_TAG + "map"
SEQUENCE_TAG = YAML_TAG + "seq"


class _NoAliasLoader(yaml.SafeLoader):
    """Refuses aliases and stops composing beyond :data:`MAX_DEPTH` levels (the composer
    recurses, so a deeply nested document would otherwise exhaust Python's stack)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in configuration files",
                event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH + 1:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise yaml.composer.ComposerError(
                    None, None, f"nesting is deeper than {MAX_DEPTH} levels", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_yaml_file(path: Path) -> LoadedYaml:
    """Read ``path`` strictly; raise :class:`ConfigInvalid` with a ``file:line`` error."""
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        raise ConfigInvalid([ConfigError(path, 1, 1, f"file is larger than {MAX_BYTES} bytes")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigInvalid(
            [ConfigError(path, line, column, "file is not valid UTF-8 text")]
        ) from None
    return load_yaml_text(text, path)


def load_yaml_text(text: str, path: Path) -> LoadedYaml:
    """Parse YAML ``text`` (reported as ``path``) with positions; see :func:`load_yaml_file`."""
    loader = _NoAliasLoader(text)
    try:
        node = loader.get_single_node()
        result = LoadedYaml(path=path, data=None)
        if node is not None:
            result.data = _Builder(loader, result).build(node, ())
        return result
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigInvalid([ConfigError(path, line, column, problem)]) from None
    finally:
        loader.dispose()


class _Builder:
    """Turns a composed node tree into plain Python data, recording positions."""

    def __init__(self, loader: yaml.SafeLoader, result: LoadedYaml) -> None:
        self.loader = loader
        self.result = result

    def build(self, node: Node, location: Location) -> Any:
        self.result.positions[location] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, MappingNode):
            self._check_tag(node, MAPPING_TAG)
            return self._mapping(node, location)
        if isinstance(node, SequenceNode):
            self._check_tag(node, SEQUENCE_TAG)
            return [self.build(item, (*location, index)) for index, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        self._check_tag(node, *SCALAR_TAGS)
        return self.loader.construct_object(node, deep=True)

    def _check_tag(self, node: Node, *allowed: str) -> None:
        """Refuse tags such as ``!!python/object`` or ``!custom``, on values of any kind."""
        if node.tag not in allowed:
            shown = node.tag.replace(YAML_TAG, "!!", 1) if node.tag.startswith(YAML_TAG) \
                else node.tag
            raise self._error(node, f"tag '{shown}' is not allowed in configuration files")

    def _mapping(self, node: MappingNode, location: Location) -> dict[Any, Any]:
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise self._error(key_node, "keys must be plain text")
            self._check_tag(key_node, *SCALAR_TAGS)
            key = self.loader.construct_object(key_node)
            if key in mapping:
                first_line = self.result.positions[(*location, key)][0]
                raise self._error(
                    key_node, f"duplicate key '{key}' (first given on line {first_line})"
                )
            key_location = (*location, key)
            mapping[key] = self.build(value_node, key_location)
            # The key's own position is more useful than the value's for messages.
            self.result.positions[key_location] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
        return mapping

    def _error(self, node: Node, message: str) -> ConfigInvalid:
        mark = node.start_mark
        return ConfigInvalid(
            [ConfigError(self.result.path, mark.line + 1, mark.column + 1, message)]
        )
