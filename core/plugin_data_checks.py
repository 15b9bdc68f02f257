"""What a plug-in declares about its data (``TABLES``, ``MIGRATIONS``, ``PERSONAL_DATA``),
read and checked when it is loaded; every problem is a :class:`ConfigError` at the line
of the declaration."""

from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

from campagne.errors import ConfigError
from campagne.plugin_data import RegionScoped, is_plugin_table

if TYPE_CHECKING:
    from campagne.plugin_manager import PluginRecord

#: The hooks a plug-in that declares personal data must implement.
REQUIRED_GDPR_HOOKS = ("export_member_data", "erase_member_data")


@dataclass
class DataDeclaration:
    """A plug-in's tables, the folder of their migrations, whether it keeps personal data,
    and what is wrong with that declaration."""

    tables: tuple[type[RegionScoped], ...] = ()
    migrations: Path | None = None
    personal_data: bool = False
    errors: list[ConfigError] = field(default_factory=list)


def _line_of_name(file: Path, name: str) -> int:
    """The line where the module ``file`` assigns ``name`` (1 when it cannot be found)."""
    try:
        tree = ast.parse(file.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return 1
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) else [])
        if any(isinstance(target, ast.Name) and target.id == name for target in targets):
            return node.lineno
    return 1


def _is_table(value: object) -> bool:
    return (inspect.isclass(value) and issubclass(value, RegionScoped)
            and is_plugin_table(getattr(value, "__table__", None)))


def plugin_data_declaration(plugin: object, file: Path) -> DataDeclaration:
    """Read ``TABLES``, ``MIGRATIONS`` and ``PERSONAL_DATA`` of ``plugin`` (from ``file``)."""
    declared = DataDeclaration()

    def error(name: str, message: str) -> None:
        declared.errors.append(ConfigError(file, _line_of_name(file, name), 1, message))

    tables = getattr(plugin, "TABLES", ())
    if not isinstance(tables, list | tuple) or not all(_is_table(t) for t in tables):
        error("TABLES", "TABLES must be a list of table models built on "
                        "campagne.plugin_data.RegionScoped (declared with table=True; a "
                        "__table_args__ of their own ends with RegionScoped.__table_args__)")
    else:
        declared.tables = tuple(tables)
    migrations = getattr(plugin, "MIGRATIONS", None)
    if migrations is not None:
        if not isinstance(migrations, str | Path) or not Path(migrations).is_dir():
            error("MIGRATIONS", f"MIGRATIONS must name a folder of Alembic migrations; "
                                f"{migrations!r} is not a folder")
        else:
            declared.migrations = Path(migrations)
    if declared.tables and migrations is None:
        error("TABLES", "a plug-in with TABLES must give the folder of their migrations "
                        "in MIGRATIONS")
    personal = getattr(plugin, "PERSONAL_DATA", False)
    if not isinstance(personal, bool):
        error("PERSONAL_DATA", "PERSONAL_DATA must be True or False")
    else:
        declared.personal_data = personal
    return declared


def personal_data_problems(record: PluginRecord, pm: pluggy.PluginManager,
                           file: Path) -> list[ConfigError]:
    """A plug-in declaring personal data must take part in exports and erasures."""
    if not record.personal_data:
        return []
    missing = [hook for hook in REQUIRED_GDPR_HOOKS if hook not in record.hooks(pm)]
    if not missing:
        return []
    return [ConfigError(
        file, _line_of_name(file, "PERSONAL_DATA"), 1,
        f"plug-in '{record.short_name}' declares PERSONAL_DATA but does not implement "
        f"{' and '.join(missing)}: a person's data export and erasure must reach what it "
        "stores (see docs/plugins.md, \"Plug-ins that keep data\")")]
