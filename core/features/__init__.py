"""The engine's own features, each a built-in plug-in on the same manager as third-party
plug-ins (as Datasette's default plug-ins and tox's internal ones are).

A feature module declares :data:`FEATURE` and implements hooks with
:data:`campagne.hookspecs.hookimpl`, nothing else: ``create_app`` knows no feature by name.
A region switches a feature off in ``region.yaml`` (``features: {spaces: false}``); every
feature is on unless switched off, and the ones marked ``switchable=False`` are the
programme's backbone, which a region cannot do without.
"""

from __future__ import annotations

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
