"""The engine's own features, each a built-in plug-in on the same manager as third-party
plug-ins (as Datasette's default plug-ins and tox's internal ones are).

A feature module declares :data:`FEATURE` and implements hooks with
:data:`campagne.hookspecs.hookimpl`, nothing else: ``create_app`` knows no feature by name.
A region switches a feature off in ``region.yaml`` (``features: {spaces: false}``); every
feature is on unless switched off, and the ones marked ``switchable=False`` are the
programme's backbone, which a region cannot do without.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

#: The built-in features' modules, registered in this order before any other plug-in; their
#: hooks are called in this order too (the pipeline's demo inquiries come before the others).
BUILTIN_FEATURES = (
    "campagne.features.platform",
    "campagne.features.pages",
    "campagne.features.accounts",
    "campagne.features.members",
    "campagne.features.statistics",
    "campagne.features.simulator",
    "campagne.features.pipeline",
    "campagne.features.inquiries",
    "campagne.features.followup",
    "campagne.features.meetups",
    "campagne.features.spaces",
    "campagne.features.spreadsheets",
    "campagne.features.newsletters",
)


@dataclass(frozen=True)
class Feature:
    """What the engine needs to know of a built-in feature.

    :param name: its key under ``features:`` in ``region.yaml``.
    :param switchable: whether a region may switch it off.
    :param requires: features that must be on where this one is.
    :param purged: what ``campagne purge`` prints after the count of rows its
        ``purge_personal_data`` removed (instead of "row(s) of plug-in ... purged").
    """

    name: str
    switchable: bool = True
    requires: tuple[str, ...] = ()
    purged: str = ""


def import_feature_tables() -> None:
    """Import the ``models`` module of each built-in feature that has one, so that the
    engine's migrations see every table (a feature's tables are the engine's: they predate
    plug-in tables and are migrated with the engine's chain)."""
    for module_name in BUILTIN_FEATURES:
        spec = importlib.util.find_spec(module_name)
        is_package = spec is not None and spec.submodule_search_locations is not None
        if is_package and importlib.util.find_spec(f"{module_name}.models") is not None:
            importlib.import_module(f"{module_name}.models")
