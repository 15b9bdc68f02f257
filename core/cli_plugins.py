"""The sub-commands of ``campagne`` that plug-ins add (hook ``cli_commands``): the engine's
features' and the installed packages', asked before any region folder is read."""

from __future__ import annotations

import argparse
import importlib
import sys
from importlib.metadata import entry_points

import pluggy

from campagne import hookspecs
from campagne.features import BUILTIN_FEATURES
from campagne.plugin_loading import ENTRY_POINT_GROUP
from campagne.plugin_types import Commands


def command_sets(load_entry_points: bool) -> list[tuple[str, Commands]]:
    """Every plug-in's commands, the features' first, then the packages' by name; a plug-in
    that fails to load or to answer is named on standard error and left out."""
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    for module_name in BUILTIN_FEATURES:
        manager.register(importlib.import_module(module_name), name=module_name)
    if load_entry_points:
        for entry_point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            try:
                manager.register(entry_point.load(), name=entry_point.name)
            except Exception:  # noqa: BLE001, S112 - check and serve report it at its line
                continue
    found: list[tuple[str, Commands]] = []
    for impl in manager.hook.cli_commands.get_hookimpls():  # in registration order
        try:
            answer = impl.function()
        except Exception as exc:  # noqa: BLE001 - one plug-in must not stop the others
            _warn(impl.plugin_name, f"cli_commands failed: {type(exc).__name__}: {exc}")
            continue
        if not isinstance(answer, list | tuple) or not all(
                isinstance(item, Commands) for item in answer):
            _warn(impl.plugin_name, "cli_commands must give a list of Commands")
            continue
        found.extend((impl.plugin_name, item) for item in answer)
    return found


def add_plugin_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser],
                        taken: set[str], load_entry_points: bool) -> dict[str, Commands]:
    """Add the plug-ins' commands whose names are free; return them by name."""
    runners: dict[str, Commands] = {}
    for plugin, command_set in command_sets(load_entry_points):
        clash = [name for name in command_set.names if name in taken]
        if clash:
            _warn(plugin, f"command name(s) {', '.join(clash)} already taken; left out")
            continue
        command_set.add_parsers(commands)
        taken.update(command_set.names)
        runners.update(dict.fromkeys(command_set.names, command_set))
    return runners


def _warn(plugin: str, message: str) -> None:
    print(f"campagne: plug-in {plugin}: {message}", file=sys.stderr)
