"""The staff pipeline of inquiries: stages, assignment, conversion into members.

The feature lives in this package: its rules (:mod:`.rules`), its state changes written
once for the API and the pages (:mod:`.actions`), the notices plug-ins receive after a
change (:mod:`.notices`), the eligibility verdict (:mod:`.eligibility`), the API
(:mod:`.api`, :mod:`.schemas`), the staff pages (:mod:`.pages`), their templates and the
demo inquiries at every stage. The tables stay in :mod:`campagne.operations.models` and
what the members' pages share with it in :mod:`campagne.operations.timeline` and
:mod:`campagne.operations.member_events`.

Modules with routes are imported inside the hooks, as the engine imports none of them.
"""

from __future__ import annotations

from pathlib import Path

from campagne.features import Feature
from campagne.features.demo import region_row
from campagne.features.menu import entry
from campagne.hookspecs import hookimpl
from campagne.i18n_markers import N_
from campagne.plugin_data import PluginData, engine_session
from campagne.plugin_types import (
    JobContext,
    MenuEntry,
    NotificationKind,
    RegionInfo,
    Routes,
    ScheduledJob,
)

FEATURE = Feature("pipeline", requires=("inquiries",))
TEMPLATES = Path(__file__).parent / "templates"


@hookimpl
def app_routes() -> list[Routes]:
    """The pipeline's API and staff pages."""
    from campagne.features.pipeline import api, pages

    return [Routes(api.router, order=119), Routes(pages.router, order=409)]


@hookimpl
def site_template_dirs() -> list[Path]:
    """The staff's home page, the board and the inquiries' pages (``staff/...``)."""
    return [TEMPLATES]


@hookimpl
def demo_data(region: RegionInfo, data: PluginData) -> None:
    """The staff pipeline's demo inquiries, at every stage."""
    from campagne.features.pipeline.demo import seed_pipeline

    session = engine_session(data)
    row = region_row(data)
    seed_pipeline(session, row, region.config)


@hookimpl
def staff_menu_entries(locale: str) -> list[MenuEntry]:
    """The page of the day and the board of inquiries."""
    return [entry("Today", locale, fr="staff/", en="staff/", page="staff_home", order=10),
            entry("Pipeline", locale, fr="staff/pipeline", en="staff/pipeline",
                  page="staff_board", order=20)]


@hookimpl
def notification_kinds() -> list[NotificationKind]:
    """``followup_digest``: the morning list of each adviser's follow-ups due."""
    return [NotificationKind(key="followup_digest", label=N_("My follow-ups due, each morning"),
                             audience="staff")]


@hookimpl
def scheduled_jobs() -> list[ScheduledJob]:
    """``followup_digest``: every day at 7:00, each adviser's follow-ups due
    (:mod:`.digest`)."""
    return [ScheduledJob("followup_digest", "0 7 * * *", _digest,
                         description="E-mail each adviser the follow-ups due today")]


def _digest(context: JobContext) -> str:
    from campagne.features.pipeline.digest import run_digest

    return run_digest(context)
