"""The public toolkit of Campagne plug-ins: everything a plug-in may import.

A plug-in, whether a region's module, a shared plug-in or an installed package, imports
from this module only (and from :mod:`campagne.testing` in its tests)::

    from campagne.toolkit import CandidateProfile, Incentive, hookimpl

Stability: the names of ``__all__`` follow semantic versioning from ``TOOLKIT_VERSION``
on. A name is never removed nor changed incompatibly within a major release; it is first
deprecated (using it gives a ``DeprecationWarning``) for at least one minor release. A
hook whose signature changes keeps its former arguments for that release, and its
specification warns implementations that rely on them (pluggy's ``warn_on_impl``). Every
other module of ``campagne`` is internal and may change in any release. The reference of
each name is in ``docs/toolkit.md``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from campagne import i18n
from campagne.config import LocalizedText, Price, RegionConfig, Source, SourcedValue, localize
from campagne.hookspecs import hookimpl
from campagne.incentive_figures import (
    ReferenceFigures,
    both,
    count_both,
    illustrative_notes,
    number_text,
    reference_figures,
)
from campagne.plugin_data import NotYourTable, PluginData, PluginStore, RegionScoped
from campagne.plugin_types import (
    CandidateProfile,
    Commands,
    ConsentQuestion,
    EventRegistration,
    Incentive,
    InquiryEvent,
    JobContext,
    MemberEvent,
    MenuEntry,
    NotificationKind,
    Panel,
    PlaceLink,
    ProfileField,
    ProfileOption,
    RegionInfo,
    Routes,
    ScheduledJob,
    ServiceSpec,
    StageChange,
    TimelineNote,
)
from campagne.stats.period import Period
from campagne.stats.schema import Count, ExtraIndicator, Measure
from campagne.taxonomy import (
    SECTORS,
    SECTORS_BY_SLUG,
    SERVICE_CATEGORIES,
    Sector,
    ServiceCategory,
    sector_for_naf,
)

if TYPE_CHECKING:
    from fastapi import Request
    from fastapi.responses import HTMLResponse

#: The version of this toolkit's promise: the release of Campagne that last changed it.
TOOLKIT_VERSION = "0.2.0"

__all__ = [
    "SECTORS",
    "SECTORS_BY_SLUG",
    "SERVICE_CATEGORIES",
    "TOOLKIT_VERSION",
    "CandidateProfile",
    "Commands",
    "ConsentQuestion",
    "Count",
    "EventRegistration",
    "ExtraIndicator",
    "Incentive",
    "InquiryEvent",
    "JobContext",
    "LocalizedText",
    "Measure",
    "MemberEvent",
    "MenuEntry",
    "NotYourTable",
    "NotificationKind",
    "Panel",
    "Period",
    "PlaceLink",
    "PluginData",
    "PluginStore",
    "Price",
    "ProfileField",
    "ProfileOption",
    "ReferenceFigures",
    "RegionConfig",
    "RegionInfo",
    "RegionScoped",
    "Routes",
    "ScheduledJob",
    "Sector",
    "ServiceCategory",
    "ServiceSpec",
    "Source",
    "SourcedValue",
    "StageChange",
    "TimelineNote",
    "both",
    "count_both",
    "format_day",
    "format_money",
    "format_number",
    "format_percent",
    "hookimpl",
    "illustrative_notes",
    "localize",
    "number_text",
    "reference_figures",
    "render_page",
    "sector_for_naf",
]


def render_page(request: Request, region: RegionInfo, template: str,
                context: dict[str, Any] | None = None, *, page: str,
                status_code: int = 200) -> HTMLResponse:
    """Render ``template`` as a page of ``region``, for a route of ``register_pages``.

    The page gets what the core's pages get: the region's layout and theme, the request's
    language, the region's template overrides and the plug-ins' template folders, and the
    variables of ``extra_template_vars`` for ``page`` (a variable of ``context`` wins).
    The template usually extends ``base.html``.

    :param request: the request being answered.
    :param region: the region the page belongs to (the ``region`` a hook received).
    :param template: the template's name, such as ``"villages/list.html"``.
    :param context: the template's own variables.
    :param page: the page's name, given to ``extra_template_vars``.
    :param status_code: the answer's HTTP status.
    """
    state = request.app.state
    folder = state.instance.region(region.slug)
    response: HTMLResponse = state.renderer.render(
        request, template, dict(context or {}), region=folder, page=page,
        status_code=status_code)
    return response


def format_money(value: float, locale: str, currency: str = "EUR") -> str:
    """An amount of money for ``locale`` (``1 200,00 €`` in French), as the ``money``
    filter of the templates writes it."""
    return i18n.format_money(value, currency, locale=locale)


def format_day(value: dt.date, locale: str, form: str = "long") -> str:
    """A date for ``locale`` (``26 novembre 2026`` in French), as the ``day`` filter of the
    templates writes it; ``form`` is ``short``, ``medium``, ``long`` or ``full``."""
    return i18n.format_day(value, form, locale=locale)


def format_number(value: float, locale: str, digits: int = 0) -> str:
    """A number for ``locale`` (``1 234,5`` in French), as the ``number`` filter writes it."""
    return i18n.format_number(value, digits, locale=locale)


def format_percent(share: float, locale: str, digits: int = 1) -> str:
    """A share (``0.2``) as a percentage for ``locale`` (``20,0 %`` in French), as the
    ``percent`` filter writes it."""
    return i18n.format_percent(share, digits, locale=locale)
