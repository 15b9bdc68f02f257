"""Reading region folders: ``region.yaml`` plus optional ``plugins/``, ``templates/``, ``static/``.

A region folder is found by its path, like an instance folder, so a chamber can
keep its own folder anywhere (see ``docs/decisions/0002-region-folders-by-path.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from campagne.config import RegionConfig
from campagne.errors import ConfigError, ConfigInvalid
from campagne.plugin_types import RegionInfo
from campagne.yaml_loader import LoadedYaml, load_yaml_file

CONFIG_FILE = "region.yaml"


@dataclass
class RegionFolder:
    """A region folder that passed validation."""

    path: Path
    config: RegionConfig
    source: LoadedYaml
    plugin_files: list[Path] = field(default_factory=list)
    _info: RegionInfo | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def slug(self) -> str:
        """The region's URL name."""
        return self.config.slug

    @property
    def config_file(self) -> Path:
        """The path of ``region.yaml``."""
        return self.path / CONFIG_FILE

    @property
    def templates_dir(self) -> Path | None:
        """The folder of template overrides, if the region has one."""
        folder = self.path / "templates"
        return folder if folder.is_dir() else None

    @property
    def static_dir(self) -> Path | None:
        """The folder of static files (logo...), if the region has one."""
        folder = self.path / "static"
        return folder if folder.is_dir() else None

    def info(self) -> RegionInfo:
        """The read-only view of this region given to plug-ins (frozen: made once per
        configuration, as pages ask for it on every view)."""
        kept = self._info
        if kept is None or kept.config is not self.config:
            kept = self._info = RegionInfo(slug=self.slug, code=self.config.code,
                                           name=self.config.name, config=self.config)
        return kept


def reference_region_paths() -> list[Path]:
    """The folders of the reference regions shipped with Campagne (Gers, Orne)."""
    root = Path(str(resources.files("campagne.reference_regions")))
    return sorted(path for path in root.iterdir() if (path / CONFIG_FILE).is_file())


def describe_validation_error(error: ErrorDetails, prefix: tuple[str | int, ...] = ()) -> str:
    """Turn one pydantic error into a sentence naming the key at fault; below a
    ``prefix`` (a plug-in's settings), an unknown key is named by its whole path."""
    location = ".".join(str(part) for part in (*prefix, *error["loc"]))
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key '{location if prefix else error['loc'][-1]}'"
    if kind == "missing":
        return f"missing required key '{location}'"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{location}: {message}" if location else message


def validation_errors(source: LoadedYaml, exc: ValidationError,
                      prefix: tuple[str | int, ...] = ()) -> list[ConfigError]:
    """Place every error of ``exc`` at its line in ``source``.

    A validator may point below the value it checked by giving ``at`` (a path) in
    its error's context, such as the second of two equal slugs in a list; ``first``
    (a path too) names where a duplicated value was first given.
    """
    errors = []
    for error in exc.errors():
        location = (*prefix, *error["loc"])
        context = error.get("ctx") or {}
        message = describe_validation_error(error, prefix)
        if isinstance(context.get("first"), tuple):
            first_line = source.position_of((*location, *context["first"]))[0]
            message += f" (first given on line {first_line})"
        if isinstance(context.get("at"), tuple):
            location = (*location, *context["at"])
        # A missing key is reported at the mapping that should hold it.
        where = location[:-1] if error["type"] == "missing" else location
        errors.append(source.error_at(where, message))
    return errors


def load_region_folder(path: Path) -> RegionFolder:
    """Read and validate one region folder; raise :class:`ConfigInvalid` with every error."""
    config_file = path / CONFIG_FILE
    if not path.is_dir():
        raise ConfigInvalid([ConfigError(path, 1, 1, "not a folder")])
    if not config_file.is_file():
        raise ConfigInvalid([ConfigError(config_file, 1, 1, "file not found")])
    source = load_yaml_file(config_file)
    if not isinstance(source.data, dict):
        raise ConfigInvalid([ConfigError(config_file, 1, 1, "expected a mapping of keys")])
    try:
        config = RegionConfig.model_validate(source.data)
    except ValidationError as exc:
        raise ConfigInvalid(validation_errors(source, exc)) from None
    missing = [source.error_at(key, f"file '{name}' not found in {path / 'static'}")
               for key, name in config.theme.static_files()
               if not (path / "static" / name).is_file()]
    if missing:
        raise ConfigInvalid(missing)
    plugins_dir = path / "plugins"
    plugin_files = sorted(
        file for file in plugins_dir.glob("*.py") if not file.name.startswith("_")
    ) if plugins_dir.is_dir() else []
    return RegionFolder(path=path, config=config, source=source, plugin_files=plugin_files)


def read_region_folders(paths: list[Path]) -> tuple[list[RegionFolder], list[ConfigError]]:
    """Read every folder: those that are valid, and the errors of all the others."""
    folders: list[RegionFolder] = []
    errors: list[ConfigError] = []
    for path in paths:
        try:
            folder = load_region_folder(path)
        except ConfigInvalid as exc:
            errors.extend(exc.errors)
            continue
        clash = next((other for other in folders if other.slug == folder.slug), None)
        if clash:
            errors.append(folder.source.error_at(
                ("slug",), f"slug '{folder.slug}' is already used by {clash.config_file}"
            ))
            continue
        folders.append(folder)
    return folders, errors


def load_region_folders(paths: list[Path]) -> list[RegionFolder]:
    """Read every folder, collecting the errors of all before raising."""
    folders, errors = read_region_folders(paths)
    if errors:
        raise ConfigInvalid(errors)
    return folders
