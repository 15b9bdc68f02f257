"""Finding, importing and validating plug-ins, in one fixed order:

0. the engine's own features (:mod:`campagne.features`), registered as ``campagne.<name>``;
1. each region folder's ``plugins/*.py`` (by path, in file name order);
2. installed packages of the ``campagne`` entry-point group (unless blocked): active in
   every region but those that list them under ``disabled_plugins:``, or, for a package
   that declares ``OPT_IN = True``, only in the regions that list it under ``plugins:``;
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
from collections.abc import Callable
from dataclasses import replace
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import SAWarning

from campagne.errors import ConfigError, ConfigInvalid
from campagne.features import BUILTIN_FEATURES, Feature
from campagne.plugin_data_checks import personal_data_problems, plugin_data_declaration
from campagne.plugin_manager import (
    BUILTIN_PREFIX,
    CampagnePluginManager,
    PluginRecord,
    PluginSource,
)
from campagne.regions import RegionFolder, validation_errors

ENTRY_POINT_GROUP = "campagne"
#: A package module's attribute: ``OPT_IN = True`` makes it run only where a region lists it.
OPT_IN_ATTRIBUTE = "OPT_IN"
SHARED_PACKAGE = "campagne.plugins"


def build_plugin_manager(
    folders: list[RegionFolder], *, load_entry_points: bool = True
) -> CampagnePluginManager:
    """Load every plug-in the regions use; raise :class:`ConfigInvalid` listing all errors."""
    manager = CampagnePluginManager()
    errors: list[ConfigError] = []
    features = _register_builtins(manager, errors)
    for folder in folders:
        for file in folder.plugin_files:
            _register_region_module(manager, folder, file, errors)
    # Installed packages that are not loaded may still be named in region.yaml.
    blocked: set[str] = set()
    if load_entry_points:
        _register_entry_points(manager, errors)
    else:
        blocked = set(entry_points(group=ENTRY_POINT_GROUP).names)
        _check_blocked_settings(folders, errors)
    for folder in folders:
        # A region module that failed to import is already reported at its own line.
        own_modules = {file.stem for file in folder.plugin_files}
        for name in folder.config.plugins:
            if _find(manager, folder.slug, name) is None and name not in blocked | own_modules:
                _register_shared(manager, folder, name, errors)
    for folder in folders:
        _switch_features(manager, folder, features, errors)
        _enable(manager, folder, blocked, errors)
    errors.extend(_unknown_hooks(manager))
    if errors:
        raise ConfigInvalid(errors)
    return manager


def _register_builtins(manager: CampagnePluginManager,
                       errors: list[ConfigError]) -> dict[str, Feature]:
    """Register the engine's features; return them by name."""
    features: dict[str, Feature] = {}
    for module_name in BUILTIN_FEATURES:
        module = importlib.import_module(module_name)
        feature: Feature = module.FEATURE
        features[feature.name] = feature
        _register(manager, module, name=f"{BUILTIN_PREFIX}{feature.name}",
                  short_name=feature.name, source="builtin", origin=module_name,
                  file=Path(module.__file__ or module_name), errors=errors)
        manager.records[f"{BUILTIN_PREFIX}{feature.name}"].purged = feature.purged
    return features


def _switch_features(manager: CampagnePluginManager, folder: RegionFolder,
                     features: dict[str, Feature], errors: list[ConfigError]) -> None:
    """Enable the features ``folder`` keeps on; refuse unknown names, switching off a
    feature that cannot be, and a feature on without one it requires."""
    switches = folder.config.features
    for name, on in switches.items():
        feature = features.get(name)
        if feature is None:
            errors.append(folder.source.error_at(("features", name), (
                f"unknown feature '{name}'; known: "
                f"{', '.join(sorted(f.name for f in features.values() if f.switchable))}")))
        elif not on and not feature.switchable:
            errors.append(folder.source.error_at(
                ("features", name), f"feature '{name}' cannot be switched off"))
    for feature in features.values():
        if not switches.get(feature.name, True):
            continue
        for needed in feature.requires:
            if not switches.get(needed, True):
                errors.append(folder.source.error_at(("features", needed), (
                    f"feature '{feature.name}' needs '{needed}': switch both off, or "
                    f"neither")))
        manager.records[f"{BUILTIN_PREFIX}{feature.name}"].settings[folder.slug] = None


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
    fallback = ConfigError(file, 1, 1, _import_message(exc))
    return _import_error(exc, lambda path: path == file, fallback)


def _import_message(exc: BaseException, name: str | None = None) -> str:
    plugin = f"plug-in '{name}'" if name else "plug-in"
    return f"{plugin} failed to import: {type(exc).__name__}: {exc}"


def _import_error(exc: BaseException, inside: Callable[[Path], bool],
                  fallback: ConfigError) -> ConfigError:
    """An import-time exception placed at the line that raised it, in the deepest frame of
    the plug-in's own files (``inside``); at ``fallback`` when none of them is in the
    traceback. The error keeps the traceback, for ``campagne check --verbose``."""
    detail = "".join(traceback.format_exception(exc))
    if isinstance(exc, SyntaxError) and exc.filename and inside(Path(exc.filename)):
        return ConfigError(Path(exc.filename), exc.lineno or 1, exc.offset or 1,
                           f"syntax error: {exc.msg}", detail)
    place: tuple[Path, int] | None = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.lineno and inside(Path(frame.filename)):
            place = (Path(frame.filename), frame.lineno)
    if place is None:
        return replace(fallback, traceback=detail)
    return ConfigError(place[0], place[1], 1, fallback.message, detail)


def _files_of_module(module_name: str) -> Callable[[Path], bool]:
    """Whether a path is one of the files of the top-level package (or module) that
    ``module_name`` belongs to, found without importing it."""
    try:
        spec = importlib.util.find_spec(module_name.split(".")[0])
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        return lambda path: False
    roots = [Path(place).resolve() for place in spec.submodule_search_locations or []]
    origin = Path(spec.origin).resolve()
    return lambda path: path.resolve() == origin or any(
        path.resolve().is_relative_to(root) for root in roots)


def _settings_model(plugin: object) -> type[BaseModel] | None:
    model = getattr(plugin, "Settings", None)
    return model if inspect.isclass(model) and issubclass(model, BaseModel) else None


def _opt_in(plugin: object, file: Path | None, origin: str,
            errors: list[ConfigError]) -> bool:
    """A package's ``OPT_IN`` attribute: ``True`` or ``False`` (absent: ``False``)."""
    value = getattr(plugin, OPT_IN_ATTRIBUTE, False)
    if not isinstance(value, bool):
        errors.append(ConfigError(file or Path(origin), 1, 1,
                                  f"{OPT_IN_ATTRIBUTE} must be True or False, not {value!r:.40}"))
        return False
    return value


def _register(manager: CampagnePluginManager, plugin: object, *, name: str, short_name: str,
              source: PluginSource, origin: str, file: Path | None,
              errors: list[ConfigError]) -> None:
    opt_in = source == "package" and _opt_in(plugin, file, origin, errors)
    where = file or Path(origin)
    data = plugin_data_declaration(plugin, where)
    record = PluginRecord(name=name, short_name=short_name, source=source, origin=origin,
                          plugin=plugin, settings_model=_settings_model(plugin), file=file,
                          tables=data.tables, migrations=data.migrations,
                          personal_data=data.personal_data, opt_in=opt_in)
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
            fallback = ConfigError(Path(f"<entry point {entry_point.name} of {origin}>"), 1, 1,
                                   _import_message(exc))
            errors.append(_import_error(exc, _files_of_module(entry_point.module), fallback))
            continue
        file = Path(inspect.getfile(plugin)) if inspect.ismodule(plugin) else None
        _register(manager, plugin, name=entry_point.name, short_name=entry_point.name,
                  source="package", origin=origin, file=file, errors=errors)


def _check_blocked_settings(folders: list[RegionFolder], errors: list[ConfigError]) -> None:
    """Validate the settings regions give to installed packages that are not loaded: each
    package's ``Settings`` model is read (the package is imported, never registered), so a
    mistake is found before the day the packages are loaded."""
    packages = {entry_point.name: entry_point
                for entry_point in entry_points(group=ENTRY_POINT_GROUP)}
    models: dict[str, type[BaseModel] | Exception | None] = {}
    for folder in folders:
        own_modules = {file.stem for file in folder.plugin_files}
        for name, raw in folder.config.plugins.items():
            if name not in packages or name in own_modules:
                continue
            if name not in models:
                try:
                    models[name] = _settings_model(packages[name].load())
                except (Exception, SystemExit) as exc:  # noqa: BLE001 - reported, never raised
                    models[name] = exc if isinstance(exc, Exception) else RuntimeError(exc)
            model = models[name]
            if isinstance(model, Exception):
                errors.append(folder.source.error_at(("plugins", name), (
                    f"plugins.{name}: settings of plug-in '{name}' could not be checked: the "
                    f"package failed to import: {type(model).__name__}: {model}")))
                continue
            record = PluginRecord(name=name, short_name=name, source="package",
                                  origin=name, plugin=None, settings_model=model)
            _validate_settings(record, folder, raw or {}, errors)


def _register_shared(manager: CampagnePluginManager, folder: RegionFolder, name: str,
                     errors: list[ConfigError]) -> None:
    if name in manager.records:
        return
    module_name = f"{SHARED_PACKAGE}.{name}"
    try:
        module = importlib.import_module(module_name)
    except (Exception, SystemExit) as exc:  # noqa: BLE001
        if isinstance(exc, ModuleNotFoundError) and exc.name == module_name:
            errors.append(folder.source.error_at(
                ("plugins", name),
                f"unknown plug-in '{name}': not in the region's plugins/, not an installed "
                f"package, not a shared plug-in",
            ))
            return
        spec = importlib.util.find_spec(module_name)
        own_file = Path(spec.origin).resolve() if spec and spec.origin else None
        fallback = folder.source.error_at(("plugins", name), _import_message(exc, name))
        error = _import_error(exc, lambda path: path.resolve() == own_file, fallback)
        if error not in errors:  # named by several regions, raised at one line
            errors.append(error)
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
        if record.source == "builtin":
            continue  # switched by _switch_features
        active = {
            "region": record.name.startswith(f"{folder.slug}."),
            "package": listed if record.opt_in
            else record.name not in folder.config.disabled_plugins,
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
        elif manager.records[name].opt_in:
            listed_too = name in folder.config.plugins
            errors.append(folder.source.error_at(("disabled_plugins",), (
                f"'{name}' is an opt-in package: it runs only in the regions that list it "
                f"under plugins:, " + (
                    "and this region lists it there too; keep one of the two"
                    if listed_too else "so disabling it here is not needed; remove it"))))


def _validate_settings(record: PluginRecord, folder: RegionFolder, raw: dict[str, Any],
                       errors: list[ConfigError]) -> None:
    location: tuple[str | int, ...] = ("plugins", record.short_name)
    if record.settings_model is None:
        if raw:
            errors.append(folder.source.error_at(
                location, f"plugins.{record.short_name}: plug-in '{record.short_name}' "
                          "takes no settings"))
        else:
            record.settings[folder.slug] = None
        return
    try:
        record.settings[folder.slug] = record.settings_model.model_validate(raw)
    except ValidationError as exc:
        errors.extend(validation_errors(folder.source, exc, location))
    except Exception as exc:  # noqa: BLE001 - a faulty validator of the plug-in's own
        errors.append(folder.source.error_at(location, (
            f"plugins.{record.short_name}: settings of plug-in '{record.short_name}' could "
            f"not be checked: {type(exc).__name__}: {exc}")))


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
