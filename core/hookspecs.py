"""The hooks a Campagne plug-in may implement.

Rules that hold for every hook:

* an implementation names only the arguments it uses, in any order, without
  default values (a default would silently win over what the core passes);
* ``region`` is the region the call is for; a plug-in is only ever called for
  the regions where it is enabled, so it needs no check of its own;
* ``settings`` is the plug-in's own validated settings for that region (an
  instance of its ``Settings`` model, or ``None`` when it declares none);
* results of every plug-in are collected; none can hide another's. Order does
  not matter: the core sorts collected results and rejects duplicates;
* an exception in a hook is contained: the plug-in is named in the log and in
  ``/api/v1/plugins``, its result is left out, and the page still renders.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pluggy
from fastapi import APIRouter

from campagne.plugin_types import (
    CandidateProfile,
    Incentive,
    MemberEvent,
    RegionInfo,
    ServiceSpec,
)

PROJECT_NAME = "campagne"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_services(region: RegionInfo, settings: Any) -> list[ServiceSpec]:
    """Add services to a region's catalogue, beside those of ``region.yaml``.

    :param region: the region the catalogue is for.
    :param settings: this plug-in's settings for that region.
    :return: services whose slugs must not clash with the region's own.

    .. versionadded:: 0.1
    """


@hookspec
def incentives_for_profile(
    region: RegionInfo, settings: Any, profile: CandidateProfile
) -> list[Incentive]:
    """Say what the region offers a candidate profile: eligibility, yearly value, source.

    :param region: the region the candidate considers.
    :param settings: this plug-in's settings for that region.
    :param profile: the candidate's situation, as they described it (never stored).
    :return: one :class:`Incentive` per offer, eligible or not, with the reason.

    .. versionadded:: 0.1
    """


@hookspec
def register_api_routes(region: RegionInfo, settings: Any) -> APIRouter | None:
    """Add JSON endpoints, mounted under ``/api/v1/regions/{slug}/plugins/{plugin}``.

    :return: a router, or ``None`` for none.

    .. versionadded:: 0.1
    """


@hookspec
def register_pages(region: RegionInfo, settings: Any) -> APIRouter | None:
    """Add pages, mounted under ``/{slug}/plugins/{plugin}``.

    Pages render with ``request.state.render(template, context)`` so that they
    get the region's theme, language and overrides.

    :return: a router, or ``None`` for none.

    .. versionadded:: 0.1
    """


@hookspec
def template_dirs(region: RegionInfo, settings: Any) -> list[Path]:
    """Give folders of templates, searched after the region's own and before the core's.

    .. versionadded:: 0.1
    """


@hookspec
def extra_template_vars(
    region: RegionInfo, settings: Any, page: str, locale: str
) -> dict[str, Any]:
    """Give extra variables to the templates of a page.

    :param page: the page's name (``region_home``, ``service_catalogue``, ...).
    :param locale: the language of the page (``fr`` or ``en``).
    :return: a mapping; a name given by two plug-ins is an error logged for both.

    .. versionadded:: 0.1
    """


@hookspec
def on_member_event(region: RegionInfo, settings: Any, event: MemberEvent) -> None:
    """React to a member joining, settling, leaving, using a service or being erased.

    .. versionadded:: 0.1
    """
