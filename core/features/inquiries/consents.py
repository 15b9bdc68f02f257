"""The consent boxes plug-ins add to a region's inquiry form (hook ``consent_questions``):
shown unticked, optional, and passed on as the keys of those ticked
(``InquiryEvent.consents``), so that the plug-in that asked records the consent itself."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from campagne.features.inquiries.form import TRUE_VALUES
from campagne.plugin_manager import CampagnePluginManager
from campagne.plugin_types import ConsentQuestion
from campagne.regions import RegionFolder

#: The form's input of a question is ``consent_<key>`` (``consent`` alone is the form's own).
PREFIX = "consent_"


def questions(plugins: CampagnePluginManager, region: RegionFolder,
              locale: str) -> list[ConsentQuestion]:
    """The region's consent questions in ``locale``."""
    return plugins.consent_questions(region.info(), locale)


def ticked_boxes(asked: Sequence[ConsentQuestion], posted: Mapping[str, Any]) -> tuple[str, ...]:
    """The keys of the questions whose box the form sent ticked."""
    return tuple(question.key for question in asked
                 if str(posted.get(PREFIX + question.key, "")).strip().lower() in TRUE_VALUES)


def unknown_keys(asked: Sequence[ConsentQuestion], keys: Iterable[str]) -> list[str]:
    """The keys (sent to the API) that are no question of the region's form."""
    known = {question.key for question in asked}
    return sorted(set(keys) - known)
