"""The engine's chain of migrations read from its files without running them.

A web worker checks at start-up, and ``/readyz`` on every call, that the database is at
this release's newest migration. Alembic reads a chain by importing every migration and
itself weighs about 10 MB in each worker; the engine's own files name their revision and
the one they follow as plain literals, which are read here with :mod:`ast` instead.
``tests/test_schema_state.py`` checks that the result is Alembic's. Plug-ins' chains,
written by others, are still read by Alembic (``campagne.schema_state``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

ENGINE_MIGRATIONS = "campagne.migrations"


class ChainUnreadable(RuntimeError):
    """A migration file does not name its revisions as literals, or the chain forks."""


@dataclass(frozen=True)
class Chain:
    """A chain of migrations: its newest revision and every revision in it."""

    head: str
    revisions: frozenset[str]


def read_chain(versions: Path) -> Chain:
    """The chain of the migration files in ``versions``: each names ``revision`` and
    ``down_revision`` (a revision, a tuple of them, or ``None``) at the top level."""
    parents: dict[str, tuple[str, ...]] = {}
    for file in sorted(versions.glob("*.py")):
        if file.name == "__init__.py":
            continue
        names = _literals(file, ("revision", "down_revision"))
        revision, down = names.get("revision"), names.get("down_revision")
        if not isinstance(revision, str):
            raise ChainUnreadable(f"{file}: no literal 'revision'")
        if isinstance(down, str):
            parents[revision] = (down,)
        elif isinstance(down, tuple) and all(isinstance(item, str) for item in down):
            parents[revision] = down
        elif down is None:
            parents[revision] = ()
        else:
            raise ChainUnreadable(f"{file}: 'down_revision' is not a revision or a tuple")
    followed = {parent for downs in parents.values() for parent in downs}
    heads = sorted(set(parents) - followed)
    if len(heads) != 1:
        raise ChainUnreadable(f"{versions}: {len(heads)} heads ({', '.join(heads)})")
    return Chain(head=heads[0], revisions=frozenset(parents))


@cache
def engine_chain() -> Chain:
    """The engine's chain (fixed while a release runs)."""
    return read_chain(Path(str(resources.files(ENGINE_MIGRATIONS))) / "versions")


def _literals(file: Path, wanted: tuple[str, ...]) -> dict[str, object]:
    """The values of the top-level assignments to ``wanted`` names that are literals."""
    found: dict[str, object] = {}
    for node in ast.parse(file.read_text(encoding="utf-8"), str(file)).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in wanted:
            try:
                found[target.id] = ast.literal_eval(value)
            except ValueError:
                raise ChainUnreadable(f"{file}: '{target.id}' is not a literal") from None
    return found
