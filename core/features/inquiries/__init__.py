"""Inquiries: the public form of people thinking of moving, and its API.

The feature lives in this package: the form's rules (:mod:`.form`), the intake of an
inquiry (:mod:`.intake`) and its submission written once for the API and the form
(:mod:`.actions`), the acknowledgement e-mail, the event plug-ins receive (:mod:`.events`),
the API (:mod:`.api`), the pages (:mod:`.pages`), their templates and the demo inquiries.
The tables (``Inquiry``, ``Interaction``) stay in :mod:`campagne.operations.models`: the
pipeline, the members' timelines, erasure and the statistics read them too.

Modules with routes are imported inside the hooks: the simulator imports :mod:`.intake`
(its prefilled link to the form) without pulling in the web layer.
"""

from __future__ import annotations

from pathlib import Path

from campagne.features import Feature
from campagne.features.demo import region_row
from campagne.features.menu import entry
from campagne.hookspecs import hookimpl
from campagne.i18n_markers import N_
from campagne.plugin_data import PluginData, engine_session
from campagne.plugin_types import MenuEntry, NotificationKind, RegionInfo, Routes

FEATURE = Feature("inquiries")
TEMPLATES = Path(__file__).parent / "templates"


@hookimpl
def app_routes() -> list[Routes]:
    """``/api/v1/regions/{slug}/inquiries`` and the inquiry form."""
    from campagne.features.inquiries import api, pages

    return [Routes(api.router, order=106), Routes(pages.router, order=412)]


@hookimpl
def site_template_dirs() -> list[Path]:
    """The inquiry form and its confirmation (``inquiry_form.html``, ``inquiry_thanks.html``)."""
    return [TEMPLATES]


@hookimpl
def menu_entries(locale: str) -> list[MenuEntry]:
    """The inquiry form."""
    return [entry("Send an inquiry", locale, fr="candidater", en="apply",
                  page="inquiry_form", order=30)]


@hookimpl
def demo_data(region: RegionInfo, data: PluginData) -> None:
    """People who wrote and are not members yet."""
    from campagne.features.inquiries.demo import generate_region_inquiries

    session = engine_session(data)
    row = region_row(data)
    generate_region_inquiries(session, row, region.config)


@hookimpl
def notification_kinds() -> list[NotificationKind]:
    """``new_inquiry``: the staff are told of each inquiry (:mod:`.staff_notice`)."""
    return [NotificationKind(key="new_inquiry", label=N_("A new inquiry in my regions"),
                             audience="staff")]
