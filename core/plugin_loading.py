"""Finding, importing and validating plug-ins, in one fixed order:

1. each region folder's ``plugins/*.py`` (by path, in file name order);
2. installed packages of the ``campagne`` entry-point group (unless blocked);
3. shared plug-ins of :mod:`campagne.plugins` named in a region's ``plugins:``.

Every problem becomes a :class:`ConfigError` that names the file and line at
fault; all are collected before :class:`ConfigInvalid` is raised.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
import traceback
import warnings
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import SAWarning

from campagne.errors import ConfigError, ConfigInvalid
from campagne.plugin_data_checks import personal_data_problems, plugin_data_declaration
from campagne.plugin_manager import CampagnePluginManager, PluginRecord, PluginSource
from campagne.regions import RegionFolder, validation_errors

ENTRY_POINT_GROUP = "campagne"
SHARED_PACKAGE = "campagne.plugins"


def build_plugin_manager(
    folders: list[RegionFolder], *, load_entry_points: bool = True
) -> CampagnePluginManager:
    """Load every plug-in the regions use; raise :class:`ConfigInvalid` listing all errors."""
    manager = CampagnePluginManager()
    errors: list[ConfigError] = []
    for folder in folders:
        for file in folder.plugin_files:
            _register_region_module(manager, folder, file, errors)
    # Installed packages that are not loaded may still be named in region.yaml.
    blocked: set[str] = set()
    if load_entry_points:
        _register_entry_points(manager, errors)
    else:
        blocked = set(entry_points(group=ENTRY_POINT_GROUP).names)
    for folder in folders:
        # A region module that failed to import is already reported at its own line.
        own_modules = {file.stem for file in folder.plugin_files}
        for name in folder.config.plugins:
            if _find(manager, folder.slug, name) is None and name not in blocked | own_modules:
                _register_shared(manager, folder, name, errors)
    for folder in folders:
        _enable(manager, folder, blocked, errors)
    errors.extend(_unknown_hooks(manager))
    if errors:
        raise ConfigInvalid(errors)
    return manager


def _import_by_path(file: Path, module_name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(module_name, file)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {file}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        with warnings.catch_warnings():
            # Imported again in one process (a test, a command after a check), a module
            # declaring tables defines their classes again, on purpose.
            warnings.filterwarnings("ignore", category=SAWarning,
                                    message="This declarative base already contains a class")
            spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


def _error_in_file(file: Path, exc: BaseException) -> ConfigError:
    """Place an import-time exception at the deepest line of ``file`` it went through."""
    if isinstance(exc, SyntaxError) and exc.filename and Path(exc.filename) == file:
        return ConfigError(file, exc.lineno or 1, exc.offset or 1, f"syntax error: {exc.msg}")
    line = 1
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename) == file and frame.lineno:
            line = frame.lineno
    return ConfigError(file, line, 1, f"plug-in failed to import: {type(exc).__name__}: {exc}")


def _settings_model(plugin: object) -> type[BaseModel] | None:
    model = getattr(plugin, "Settings", None)
    return model if inspect.isclass(model) and issubclass(model, BaseModel) else None


def _register(manager: CampagnePluginManager, plugin: object, *, name: str, short_name: str,
              source: PluginSource, origin: str, file: Path | None,
              errors: list[ConfigError]) -> None:
    where = file or Path(origin)
    data = plugin_data_declaration(plugin, where)
    record = PluginRecord(name=name, short_name=short_name, source=source, origin=origin,
                          plugin=plugin, settings_model=_settings_model(plugin), file=file,
                          tables=data.tables, migrations=data.migrations,
                          personal_data=data.personal_data)
    problems = _implementation_problems(manager, plugin)
    if problems or data.errors:
        errors.extend(ConfigError(where, line, 1, msg) for line, msg in problems)
        errors.extend(data.errors)
        return
    try:
        manager.register(record)
    except (pluggy.PluginValidationError, ValueError) as exc:
        message = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        errors.append(ConfigError(where, 1, 1, f"invalid plug-in: {message}"))
        return
    errors.extend(personal_data_problems(record, manager.pm, where))


def _implementation_problems(manager: CampagnePluginManager,
                             plugin: object) -> list[tuple[int, str]]:
    """Hook implementations must not have default values nor be wrappers, and may only
    ask for arguments their hook passes."""
    problems = []
    for attr_name in dir(plugin):
        function = getattr(plugin, attr_name, None)
        options = getattr(function, f"{ENTRY_POINT_GROUP}_impl", None)
        if not callable(function) or options is None:
            continue
        line = _line_of(function)
        if options.get("hookwrapper") or options.get("wrapper"):
            problems.append((line, f"hook '{attr_name}': wrappers are not supported"))
        defaults = [
            p.name for p in inspect.signature(function).parameters.values()
            if p.default is not inspect.Parameter.empty
        ]
        if defaults:
            problems.append((line, f"hook '{attr_name}': argument(s) {', '.join(defaults)} "
                                   "must not have default values"))
        spec = getattr(manager.pm.hook, options.get("specname") or attr_name, None)
        if isinstance(spec, pluggy.HookCaller) and spec.spec is not None:
            known = spec.spec.argnames
            unknown = [p.name for p in inspect.signature(function).parameters.values()
                       if p.name not in known and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
            if unknown:
                problems.append((line, f"hook '{attr_name}': argument(s) {', '.join(unknown)} "
                                       f"are not passed by this hook (it passes "
                                       f"{', '.join(known)})"))
    return problems


def _line_of(function: Any) -> int:
    try:
        return inspect.getsourcelines(function)[1]
    except (OSError, TypeError):
        return 1


def _register_region_module(manager: CampagnePluginManager, folder: RegionFolder, file: Path,
                            errors: list[ConfigError]) -> None:
    module_name = f"campagne_region_{folder.slug.replace('-', '_')}.{file.stem}"
    try:
        module = _import_by_path(file, module_name)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - reported as file:line, never a traceback
        errors.append(_error_in_file(file, exc))
        return
    _register(manager, module, name=f"{folder.slug}.{file.stem}", short_name=file.stem,
              source="region", origin=file.relative_to(folder.path).as_posix(), file=file,
              errors=errors)


def _register_entry_points(manager: CampagnePluginManager, errors: list[ConfigError]) -> None:
    for entry_point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
        origin = entry_point.dist.name if entry_point.dist else entry_point.value
        try:
            plugin = entry_point.load()
        except (Exception, SystemExit) as exc:  # noqa: BLE001
            errors.append(ConfigError(Path(f"<entry point {entry_point.name} of {origin}>"), 1, 1,
                                      f"plug-in failed to import: {type(exc).__name__}: {exc}"))
            continue
        file = Path(inspect.getfile(plugin)) if inspect.ismodule(plugin) else None
        _register(manager, plugin, name=entry_point.name, short_name=entry_point.name,
                  source="package", origin=origin, file=file, errors=errors)


def _register_shared(manager: CampagnePluginManager, folder: RegionFolder, name: str,
                     errors: list[ConfigError]) -> None:
    if name in manager.records:
        return
    try:
        module = importlib.import_module(f"{SHARED_PACKAGE}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{SHARED_PACKAGE}.{name}":
            errors.append(folder.source.error_at(("plugins", name), f"plug-in '{name}' failed "
                                                 f"to import: {type(exc).__name__}: {exc}"))
            return
        errors.append(folder.source.error_at(
            ("plugins", name),
            f"unknown plug-in '{name}': not in the region's plugins/, not an installed "
            f"package, not a shared plug-in",
        ))
        return
    except (Exception, SystemExit) as exc:  # noqa: BLE001
        errors.append(folder.source.error_at(("plugins", name), f"plug-in '{name}' failed "
                                             f"to import: {type(exc).__name__}: {exc}"))
        return
    _register(manager, module, name=name, short_name=name, source="shared",
              origin=module.__name__, file=Path(module.__file__ or name), errors=errors)


def _find(manager: CampagnePluginManager, region: str, name: str) -> PluginRecord | None:
    """The plug-in a region's ``plugins:`` key names: its own module first, then others."""
    return manager.records.get(f"{region}.{name}") or manager.records.get(name)


def _enable(manager: CampagnePluginManager, folder: RegionFolder, blocked: set[str],
            errors: list[ConfigError]) -> None:
    """Decide which plug-ins run for ``folder`` and validate their settings."""
    for record in manager.records.values():
        listed = record.short_name in folder.config.plugins and _find(
            manager, folder.slug, record.short_name) is record
        active = {
            "region": record.name.startswith(f"{folder.slug}."),
            "package": record.name not in folder.config.disabled_plugins,
            "shared": listed,
        }[record.source]
        if not active:
            continue
        raw = folder.config.plugins.get(record.short_name) if listed else None
        _validate_settings(record, folder, raw or {}, errors)
    for name in folder.config.disabled_plugins:
        if name in blocked:
            continue
        if name not in manager.records or manager.records[name].source != "package":
            errors.append(folder.source.error_at(
                ("disabled_plugins",), f"'{name}' is not an installed plug-in package"))


def _validate_settings(record: PluginRecord, folder: RegionFolder, raw: dict[str, Any],
                       errors: list[ConfigError]) -> None:
    location: tuple[str | int, ...] = ("plugins", record.short_name)
    if record.settings_model is None:
        if raw:
            errors.append(folder.source.error_at(
                location, f"plug-in '{record.short_name}' takes no settings"))
        else:
            record.settings[folder.slug] = None
        return
    try:
        record.settings[folder.slug] = record.settings_model.model_validate(raw)
    except ValidationError as exc:
        errors.extend(validation_errors(folder.source, exc, location))
    except Exception as exc:  # noqa: BLE001 - a faulty validator of the plug-in's own
        errors.append(folder.source.error_at(location, (
            f"settings of plug-in '{record.short_name}' could not be checked: "
            f"{type(exc).__name__}: {exc}")))


def _unknown_hooks(manager: CampagnePluginManager) -> list[ConfigError]:
    """A function marked as a hook whose name is no hook is an error (a misspelling)."""
    errors = []
    for caller in manager.pm.hook.__dict__.values():
        if not isinstance(caller, pluggy.HookCaller) or caller.spec is not None:
            continue
        for impl in caller.get_hookimpls():
            record = manager.records[impl.plugin_name]
            # Region modules are named as the user gave their folder, like every other error.
            file = record.file if record.source == "region" and record.file else Path(
                inspect.getsourcefile(impl.function) or record.origin)
            errors.append(ConfigError(
                file, _line_of(impl.function), 1,
                f"'{caller.name}' is not a Campagne hook (misspelt?); see docs/plugins.md"))
    return errors
