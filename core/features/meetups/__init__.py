"""Meetups: the region's events, sign-ups, waiting lists and calendars.

The whole feature lives in this package: its tables (:mod:`.models`), the use cases that
change them (:mod:`.actions` over :mod:`.rules`), its API and pages, templates, demo data,
mail, calendars and statistics. The engine reaches it only through the hooks below.

Modules with routes are imported inside the hooks: the engine imports :mod:`.models` (for
the migrations) and :mod:`.rules` (for erasure) without pulling in the web layer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from campagne.features import Feature
from campagne.features.demo import region_row
from campagne.features.menu import entry
from campagne.hookspecs import hookimpl
from campagne.i18n_markers import N_
from campagne.models import utc_now
from campagne.plugin_data import PluginData, engine_session
from campagne.plugin_types import (
    JobContext,
    MenuEntry,
    NotificationKind,
    Panel,
    RegionInfo,
    Routes,
    ScheduledJob,
)
from campagne.stats.period import Period
from campagne.stats.schema import Count, Measure

FEATURE = Feature("meetups", purged="meetup guest(s) forgotten.")
TEMPLATES = Path(__file__).parent / "templates"


@hookimpl
def app_routes() -> list[Routes]:
    """The meetups' API and pages; ``/account/meetups`` before ``/{slug}/meetups``, which
    would take ``account`` for a region."""
    from campagne.features.meetups import api, api_staff, pages, pages_account, pages_staff

    return [Routes(api.public, order=113), Routes(api_staff.router, order=114),
            Routes(api_staff.mine, order=115),
            Routes(pages_account.router, order=414),
            Routes(pages_staff.router, order=415), Routes(pages.router, order=416)]


@hookimpl
def site_template_dirs() -> list[Path]:
    """The meetups' templates (``meetups/...``), also used by ``/account/meetups``."""
    return [TEMPLATES]


@hookimpl
def menu_entries(locale: str) -> list[MenuEntry]:
    """The region's meetups."""
    return [entry("Meetups", locale, fr="rencontres", en="meetups", page="meetups", order=40)]


@hookimpl
def demo_data(region: RegionInfo, data: PluginData) -> None:
    """Meetups and their sign-ups."""
    from campagne.features.meetups.demo import generate_region_meetups

    session = engine_session(data)
    row = region_row(data)
    generate_region_meetups(session, row, region.config)


@hookimpl
def operations_figures(data: PluginData, period: Period,
                       threshold: int) -> dict[str, Measure | Count]:
    """Meetups held, members who attended, the attendance rate."""
    from campagne.features.meetups.figures import meetup_figures

    return meetup_figures(engine_session(data), data.region_id, period, threshold, utc_now())


@hookimpl
def export_member_data(data: PluginData, member_id: int) -> dict[str, Any]:
    """The member's sign-ups (``meetup_registrations`` in the export)."""
    from campagne.features.meetups.privacy import member_registrations

    return {"meetup_registrations": member_registrations(engine_session(data), member_id)}


@hookimpl
def erase_member_data(data: PluginData, member_id: int) -> None:
    """Give back the seats to come of an erased member (the people promoted are told after
    the commit); past sign-ups stay with the anonymised record."""
    from campagne.features.meetups.privacy import release_member_seats

    release_member_seats(engine_session(data), data.region, member_id)


@hookimpl
def purge_personal_data(data: PluginData) -> int:
    """Forget the guests of the region's meetups ended three months ago."""
    from campagne.features.meetups.privacy import forget_past_guests

    return forget_past_guests(engine_session(data), region_id=data.region_id)


@hookimpl
def staff_menu_entries(locale: str) -> list[MenuEntry]:
    """The staff's list of meetups."""
    return [entry("Meetups", locale, fr="staff/meetups", en="staff/meetups",
                  page="staff_meetups", order=40)]


@hookimpl
def page_panels(page: str, data: PluginData, member_id: int | None,
                locale: str) -> list[Panel]:
    """On a member's account page, the way to their sign-ups; on the staff's page of the
    day, the next five meetups; in the privacy notice, how long guests are kept; on the
    region's home, the next meetup."""
    if page == "region_home":
        from campagne.features.meetups.pages import listing_path
        from campagne.features.meetups.views import meetups_from, paris_today, when_text

        found = meetups_from(engine_session(data), data.region_id, paris_today(), limit=1)
        meetup = found[0] if found else None
        return [Panel("meetups/home_panel.html", order=20, context={
            "listing": listing_path(data.region, locale), "meetup": meetup,
            "when": when_text(meetup) if meetup else ""})]
    if page == "account" and member_id is not None:
        return [Panel("meetups/account_panel.html", order=40)]
    if page == "privacy":
        from campagne.features.meetups.privacy import GUEST_DAYS

        return [Panel("meetups/privacy_panel.html", order=40, context={"guest_days": GUEST_DAYS})]
    if page == "staff_home":
        from campagne.features.meetups.views import upcoming_meetups

        return [Panel("meetups/staff_home_panel.html", order=30, context={
            "meetups": upcoming_meetups(engine_session(data), data.region_id, limit=5)})]
    return []


@hookimpl
def notification_kinds() -> list[NotificationKind]:
    """``meetup_reminder``: the reminder the day before a meetup one signed up for."""
    return [NotificationKind(key="meetup_reminder",
                             label=N_("A reminder the day before a meetup I signed up for"),
                             audience="member")]


@hookimpl
def scheduled_jobs() -> list[ScheduledJob]:
    """``meetup_reminder``: every day at 10:00, the reminders of tomorrow's meetups
    (:mod:`.reminders`)."""
    return [ScheduledJob("meetup_reminder", "0 10 * * *", _remind,
                         description="Remind the people signed up to tomorrow's meetups")]


def _remind(context: JobContext) -> str:
    from campagne.features.meetups.reminders import run_reminders

    return run_reminders(context)
