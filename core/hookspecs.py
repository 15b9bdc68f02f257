"""The hooks a Campagne plug-in may implement.

Rules that hold for every hook:

* an implementation names only the arguments it uses, in any order, without
  default values (a default would silently win over what the core passes);
* ``region`` is the region the call is for; a plug-in is only ever called for
  the regions where it is enabled, so it needs no check of its own;
* ``settings`` is the plug-in's own validated settings for that region (an
  instance of its ``Settings`` model, or ``None`` when it declares none);
* results of every plug-in are collected, in the order of the plug-ins' names;
  none can hide another's. Where two results would clash (a service slug, a
  template variable name), the clash is recorded as a failure of the plug-in(s)
  concerned;
* an exception in a hook is contained: the plug-in is named in the log and in
  ``/api/v1/plugins``, its result is left out, and the page still renders.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pluggy
from fastapi import APIRouter

from campagne.plugin_data import PluginData, PluginStore
from campagne.plugin_types import (
    CandidateProfile,
    Commands,
    ConsentQuestion,
    EventRegistration,
    Incentive,
    InquiryEvent,
    MemberEvent,
    MenuEntry,
    NotificationKind,
    Panel,
    PlaceLink,
    ProfileField,
    RegionInfo,
    Routes,
    ScheduledJob,
    ServiceSpec,
    StageChange,
    TimelineNote,
)
from campagne.stats.period import Period
from campagne.stats.schema import Count, ExtraIndicator, Measure

PROJECT_NAME = "campagne"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_services(region: RegionInfo, settings: Any) -> list[ServiceSpec]:
    """Add services to a region's catalogue, beside those of ``region.yaml``.

    :param region: the region the catalogue is for.
    :param settings: this plug-in's settings for that region.
    :return: services whose slugs must not clash with the region's own.

    .. versionadded:: 0.1.0
    """


@hookspec
def incentives_for_profile(
    region: RegionInfo, settings: Any, profile: CandidateProfile, store: PluginStore
) -> list[Incentive]:
    """Say what the region offers a candidate profile: eligibility, yearly value, source.

    :param region: the region the candidate considers.
    :param settings: this plug-in's settings for that region.
    :param store: opens this plug-in's own tables, seen from that region.
    :param profile: the candidate's situation, as they described it (never stored).
    :return: one :class:`Incentive` per offer, eligible or not, with the reason.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``store`` is passed.
    """


@hookspec
def profile_fields(region: RegionInfo, settings: Any) -> list[ProfileField]:
    """Add questions to the move simulator's profile, for the region's incentives.

    Each field appears in the region's simulator page (``/{slug}/simulateur``) with its
    label and help text, is taken by ``POST /api/v1/simulator`` as a key of ``profile``,
    and is checked against the declaration (kind, required, minimum and maximum, pattern,
    options): a bad value is a 422 naming the key. The checked value reaches
    :func:`incentives_for_profile` as ``profile.extra[key]`` (absent when not given),
    prefills the region's inquiry form where it has an extra field of the same key, and
    is shown with the eligibility verdict of an inquiry.

    Called for every simulation of the region. A key declared by two plug-ins of a region
    is a failure of both, and the field is left out; a key of the core's profile
    (``sector``, ``status``...) cannot be declared.

    :param region: the region whose simulator asks the questions.
    :param settings: this plug-in's settings for that region.
    :return: a list of :class:`~campagne.plugin_types.ProfileField`.

    .. versionadded:: 0.2.0
    """


@hookspec
def register_api_routes(region: RegionInfo, settings: Any,
                        store: PluginStore) -> APIRouter | None:
    """Add JSON endpoints, mounted under ``/api/v1/regions/{slug}/plugins/{plugin}``.

    Called once per region at start-up; ``{plugin}`` is the plug-in's short name
    (its file name for a region module). The routes appear in ``/openapi.json``.

    :param region: the region the routes are mounted for.
    :param settings: this plug-in's settings for that region.
    :param store: opens this plug-in's own tables, seen from that region.
    :return: a router, or ``None`` for none.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``store`` is passed.
    """


@hookspec
def register_pages(region: RegionInfo, settings: Any, store: PluginStore) -> APIRouter | None:
    """Add pages, mounted under ``/{slug}/plugins/{plugin}``.

    Called once per region at start-up. A page renders with
    :func:`campagne.toolkit.render_page`, so that it gets the region's layout, theme,
    language, template overrides and plug-in template variables::

        return render_page(request, region, "my_plugin/page.html", context,
                           page="my_plugin")

    The templates come from the plug-in's :func:`template_dirs` or the region's
    ``templates/``.

    :param region: the region the pages are mounted for.
    :param settings: this plug-in's settings for that region.
    :param store: opens this plug-in's own tables, seen from that region.
    :return: a router, or ``None`` for none.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``store`` is passed.
    """


@hookspec
def template_dirs(region: RegionInfo, settings: Any) -> list[Path]:
    """Give folders of templates, searched after the region's own and before the core's.

    Called once per region at start-up. A template found there replaces the core's
    template of the same name; ``{% extends "core:name.html" %}`` still reaches the
    core's own.

    :param region: the region whose pages use the folders.
    :param settings: this plug-in's settings for that region.
    :return: a list of :class:`pathlib.Path` (anything else is a failure).

    .. versionadded:: 0.1.0
    """


@hookspec
def extra_template_vars(
    region: RegionInfo, settings: Any, page: str, locale: str
) -> dict[str, Any]:
    """Give extra variables to the templates of a page.

    Called for every page of the region rendered. A variable of the page's own
    context wins over one given here.

    :param region: the region of the page.
    :param settings: this plug-in's settings for that region.
    :param page: the page's name (``region_home``, ``service_catalogue``, ...).
    :param locale: the language of the page (``fr`` or ``en``).
    :return: a mapping; a name given by two plug-ins is an error logged for both.

    .. versionadded:: 0.1.0
    """


@hookspec
def on_member_event(region: RegionInfo, settings: Any, event: MemberEvent,
                    store: PluginStore) -> list[TimelineNote] | None:
    """React to something that happened to a member of the region.

    The core sends ``erased`` when a member's record is erased (through the API or the
    staff pages); ``joined`` when an inquiry is converted into a member; ``settled`` when a
    member's inquiry reaches the settled stage of the pipeline or their status becomes
    ``settled`` through an edit; ``service_used`` when staff record a service delivered to
    a member (API or staff pages), with ``service_slug`` set and ``occurred_at`` the day of
    the service at midnight UTC. ``left`` is part of the contract but not sent by the core
    yet. The event carries no name nor contact.

    :param region: the member's region.
    :param settings: this plug-in's settings for that region.
    :param store: opens this plug-in's own tables, seen from that region.
    :param event: what happened, to which member id, and when.
    :return: ``None``, or a list of :class:`TimelineNote` that the core adds to the
        member's timeline with the plug-in's name as author (ignored for ``erased``).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``store`` is passed.
    """


@hookspec
def on_stage_changed(region: RegionInfo, settings: Any, change: StageChange,
                     store: PluginStore) -> list[TimelineNote] | None:
    """React to an inquiry moving to another stage of the region's pipeline.

    Sent after the change is saved, by the API and the staff pages. The payload carries
    the inquiry id, the previous and new stage keys, whether the new stage is the settled
    or a closed one, the member id once converted and the time; no name nor contact.
    A plug-in writes to its own tables through ``store``; to the timeline, it returns notes.

    :param region: the inquiry's region.
    :param settings: this plug-in's settings for that region.
    :param store: opens this plug-in's own tables, seen from that region.
    :param change: the stage change.
    :return: ``None``, or a list of :class:`TimelineNote` that the core adds to the
        inquiry's timeline with the plug-in's name as author.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``store`` is passed.
    """


@hookspec
def extra_indicators(region: RegionInfo, settings: Any, period: Period,
                     store: PluginStore) -> list[ExtraIndicator]:
    """Add indicators to the region's open statistics (``/api/v1/regions/{slug}/stats``).

    Every indicator is published under ``extra`` with the plug-in's name. A count of
    people (``counts_people=True``, the default) goes through the same disclosure
    control as the core's counts: a value below the threshold is published as
    ``null`` with ``suppressed: true``. Give aggregates only, never a person.

    :param region: the region the statistics are for.
    :param settings: this plug-in's settings for that region.
    :param store: opens this plug-in's own tables, seen from that region.
    :param period: the period covered (``period.start`` may be ``None``: since the
        first record; ``period.end`` is a day, included).
    :return: a list of :class:`~campagne.stats.schema.ExtraIndicator`, whose keys must
        be unique within the plug-in.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``store`` is passed.
    """


@hookspec
def operations_figures(region: RegionInfo, settings: Any, data: PluginData, period: Period,
                       threshold: int) -> dict[str, Measure | Count]:
    """Give figures of the region's open statistics that belong to a feature (the
    meetups', the desks'), keyed by their field name under ``indicators`` in the published
    schema (``/api/v1/regions/{slug}/stats``).

    A figure no enabled plug-in gives is published as not available
    (``available: false``): a region that switched the feature off publishes none of its
    indicators, and the schema stays the same for every region. Apply disclosure control
    (``threshold``) before returning, as the engine does for its own counts.

    :param region: the region the statistics are for.
    :param settings: this plug-in's settings for that region.
    :param data: this plug-in's tables, seen from that region (read only here).
    :param period: the period covered (``period.start`` may be ``None``).
    :param threshold: the disclosure threshold the instance publishes with.
    :return: a mapping from field names of the schema's indicators to
        :class:`~campagne.stats.schema.Measure` or :class:`~campagne.stats.schema.Count`.

    .. versionadded:: 0.2.0
    """


@hookspec
def on_inquiry_received(region: RegionInfo, settings: Any, inquiry: InquiryEvent,
                        store: PluginStore) -> None:
    """React to a new inquiry from someone thinking of moving to the region.

    Called once the inquiry is stored (through the public form or the API), after the
    answer has gone to the person. The event carries ids, the stage, the sector, the
    status, the origin département and the timing, never a name nor a contact: a plug-in
    that needs more asks the programme's staff. The return value is ignored.

    :param region: the region the inquiry was sent to.
    :param settings: this plug-in's settings for that region.
    :param store: opens this plug-in's own tables, seen from that region.
    :param inquiry: what was received (``kind`` is ``received``).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``store`` is passed.
    """


@hookspec
def consent_questions(region: RegionInfo, settings: Any, locale: str) -> list[ConsentQuestion]:
    """Add consent boxes to the region's inquiry form (and keys to its API's ``consents``).

    Each question is shown unticked under the form's own consent; the keys of those the
    person ticked reach :func:`on_inquiry_received` in ``inquiry.consents``, where the
    plug-in records the consent it asked for (the event names no one: read the inquiry by
    its id). A key given by two plug-ins of a region is a failure of both and is left out.
    Called for every showing and sending of the form: keep it cheap (no database).

    :param region: the region whose form is shown.
    :param settings: this plug-in's settings for that region.
    :param locale: the language of the form (``fr`` or ``en``): give the label in it.
    :return: a list of :class:`~campagne.plugin_types.ConsentQuestion`.

    .. versionadded:: 0.2.0
    """


@hookspec
def on_event_registration(region: RegionInfo, settings: Any,
                          registration: EventRegistration, store: PluginStore) -> None:
    """React to a sign-up to one of the region's meetups.

    Called after the change is committed, once per sign-up concerned: a new sign-up
    (``confirmed`` or ``waitlisted``), a cancellation (``cancelled``) and each promotion
    from the waiting list that a freed place or a raised capacity brings (``promoted``).
    The payload carries ids only, never a name nor an e-mail address; the return value is
    ignored and a failure is contained (logged, listed in ``/api/v1/plugins``).

    :param region: the meetup's region.
    :param settings: this plug-in's settings for that region.
    :param store: opens this plug-in's own tables, seen from that region.
    :param registration: the meetup id, the sign-up id, the member id (``None`` for a
        guest), the new status and when it happened.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``store`` is passed.
    """


# -- personal data (GDPR) ---------------------------------------------------------------
# A plug-in that declares ``PERSONAL_DATA = True`` must implement the first two;
# ``campagne check`` refuses it otherwise. Each runs inside the engine's transaction, in a
# savepoint of its own: a failure undoes that plug-in's changes only, is logged and listed
# in ``/api/v1/plugins``, and the rest goes on.


@hookspec
def export_member_data(region: RegionInfo, settings: Any, data: PluginData,
                       member_id: int) -> Any:
    """Give this plug-in's section of a person's data export (GDPR art. 15 and 20).

    Called when a member downloads their data (API ``GET /api/v1/me/export`` and the
    account page). The section appears in the export under ``plugins``, keyed by the
    plug-in's short name; it must be JSON-ready (dicts, lists, strings, numbers). (The
    engine's own features give a mapping of the export's keys instead, such as
    ``meetup_registrations``.) The GDPR hooks reach every plug-in enabled in the person's
    region, and every built-in feature even where it is switched off: rows kept from
    before are still the person's.

    :param region: the person's region.
    :param settings: this plug-in's settings for that region.
    :param data: the plug-in's tables, seen from the person's region.
    :param member_id: the person's member id.
    :return: the section (``None`` or an empty list when it holds nothing of them).

    .. versionadded:: 0.2.0
    """


@hookspec
def erase_member_data(region: RegionInfo, settings: Any, data: PluginData,
                      member_id: int) -> None:
    """Erase (delete or anonymise) what this plug-in holds about a person (GDPR art. 17).

    Called when a member's record is erased: by the staff (API and staff page) and by the
    retention purge (``campagne purge``), before the erasure is committed, in the same
    transaction. ``on_member_event`` with ``erased`` still follows, after the commit. Send
    nothing from here: the erasure may still be rolled back. On SQLite the transaction
    holds the database's writer lock: write through ``data`` only, never through a
    connection of your own (it would wait for the lock the erasure holds).

    :param region: the person's region.
    :param settings: this plug-in's settings for that region.
    :param data: the plug-in's tables, seen from the person's region.
    :param member_id: the person's member id.

    .. versionadded:: 0.2.0
    """


@hookspec
def purge_personal_data(region: RegionInfo, settings: Any, data: PluginData,
                        today: dt.date) -> int | None:
    """Remove the personal data this plug-in keeps beyond its retention period.

    Called by ``campagne purge`` (not with ``--dry-run``) for each region, after the
    records past their retention are erased (which already called
    :func:`erase_member_data` for each). Needed by a plug-in that keeps personal data
    outside a member's record (a guest's name, a contact form); the periods are the
    plug-in's to state (in its settings, for example). On SQLite the purge's transaction
    holds the database's writer lock, as an erasure's does.

    :param region: the region purged.
    :param settings: this plug-in's settings for that region.
    :param data: the plug-in's tables, seen from that region.
    :param today: the day of the purge.
    :return: how many rows were removed or anonymised (``None`` for none).

    .. versionadded:: 0.2.0
    """


# --- the platform: what a feature needs to plug in ------------------------------------------


@hookspec
def app_routes() -> list[Routes]:
    """Add routes at fixed paths, such as ``/{slug}/espaces`` or ``/api/v1/regions/{slug}/spaces``.

    Called once at start-up, for every plug-in enabled in at least one region; this is how
    the engine's own features (meetups, workspaces, the simulator...) add their API routes
    and pages. A route whose path names a region with ``{slug}`` answers 404 in a region
    where the plug-in is not enabled, so a built-in feature switched off in ``region.yaml``
    (``features: {spaces: false}``) has no pages nor API there. Unlike
    :func:`register_api_routes` and :func:`register_pages`, nothing is prefixed: choose
    paths that no other plug-in uses.

    :return: a list of :class:`~campagne.plugin_types.Routes`, each with its ``order``.

    .. versionadded:: 0.2.0
    """


@hookspec
def delivery_places(listing: str, region: RegionInfo, settings: Any, data: PluginData,
                    locale: str) -> list[PlaceLink]:
    """Say where a service is delivered: the places of ``listing`` in the region, as links.

    A service names its listing in ``delivered_at`` (``delivered_at: spaces`` in
    ``region.yaml``, or in the :class:`~campagne.plugin_types.ServiceSpec` a plug-in
    registers); its page then lists the places every plug-in owning that listing gives.
    Answer ``[]`` for a listing you do not own. The workspaces feature owns ``spaces``
    (the region's open offices and coworking spaces).

    :param listing: the name the service gives in ``delivered_at``.
    :param region: the region of the service.
    :param settings: this plug-in's settings for that region.
    :param data: the plug-in's tables, seen from that region (read only).
    :param locale: the language of the page (``fr`` or ``en``).
    :return: a list of :class:`~campagne.plugin_types.PlaceLink`.

    .. versionadded:: 0.2.0
    """


@hookspec
def menu_entries(region: RegionInfo, settings: Any, locale: str) -> list[MenuEntry]:
    """Add links to the region's main menu, after the programme and its services.

    Called for every page of the region rendered (keep it cheap: no database).

    :param region: the region whose menu is shown.
    :param settings: this plug-in's settings for that region.
    :param locale: the language of the page (``fr`` or ``en``): give the label in it.
    :return: a list of :class:`~campagne.plugin_types.MenuEntry`.

    .. versionadded:: 0.2.0
    """


@hookspec
def staff_menu_entries(region: RegionInfo, settings: Any, locale: str) -> list[MenuEntry]:
    """Add links to the menu of a region's staff pages (and to the staff's account page).

    Called for the staff pages of the region (keep it cheap: no database). ``path`` is
    relative to the region's root, like ``staff/meetups`` for ``/gers/staff/meetups``.

    :param region: the region whose staff menu is shown.
    :param settings: this plug-in's settings for that region.
    :param locale: the language of the page (``fr`` or ``en``): give the label in it.
    :return: a list of :class:`~campagne.plugin_types.MenuEntry`.

    .. versionadded:: 0.2.0
    """


@hookspec
def page_panels(page: str, region: RegionInfo, settings: Any, data: PluginData,
                member_id: int | None, locale: str) -> list[Panel]:
    """Add panels to one of the engine's pages.

    The pages are ``account`` (a member's own account page, ``/account/``: ``member_id``
    is theirs, and the panel must show nothing of anyone else), ``staff_member`` (the
    staff's page of a member), ``staff_home`` (the staff's page of the day: ``member_id``
    is ``None``) and ``privacy`` (the region's privacy notice: one ``<li>`` saying what
    else the plug-in keeps about people, why and how long) and ``region_home`` (the
    region's public home: a ``<section>`` with an ``<h2>``, such as the next meetup or the
    spaces; ``member_id`` is ``None``; it is kept for every visitor until the region's
    records or the day change, so it shows nothing personal and does not read the request).
    Ignore a page you do not know: others may be added.

    :param page: the page's name.
    :param region: the region of the page (the member's, on ``account``).
    :param settings: this plug-in's settings for that region.
    :param data: the plug-in's tables, seen from that region (read only).
    :param member_id: the member the page is about, if any.
    :param locale: the language of the page (``fr`` or ``en``).
    :return: a list of :class:`~campagne.plugin_types.Panel`.

    .. versionadded:: 0.2.0
    """


@hookspec
def site_template_dirs() -> list[Path]:
    """Give folders of templates that every page may use, with or without a region.

    Called once at start-up, for every plug-in enabled in at least one region. The folders
    are searched after a region's own templates and its plug-ins' :func:`template_dirs`, and
    before the core's: the engine's features keep their templates there.

    :return: a list of :class:`pathlib.Path`.

    .. versionadded:: 0.2.0
    """


@hookspec
def demo_data(region: RegionInfo, settings: Any, data: PluginData) -> int | None:
    """Add demo records to the region, for ``campagne demo``.

    Called once per region when the demo database is first filled, after the demo members
    (synthetic people, marked so): the engine's features add their inquiries, meetups and
    workspaces here, in their fixed order, then plug-ins by name. Mark every person you add
    as invented, and keep the data reproducible (seed any randomness with the region's
    slug). Runs in a savepoint of the demo's transaction: a failure undoes this plug-in's
    records only, and is listed in ``/api/v1/plugins``.

    :param region: the region being filled.
    :param settings: this plug-in's settings for that region.
    :param data: the plug-in's tables, seen from that region.
    :return: how many records were added (``None`` for none).

    .. versionadded:: 0.2.0
    """


@hookspec
def cli_commands() -> list[Commands]:
    """Add sub-commands to the ``campagne`` command line.

    Asked when the command line starts, of the engine's features and of the installed
    packages (unless ``CAMPAGNE_LOAD_ENTRY_POINTS`` is false): region folders are not read
    yet then, so a region's or a shared plug-in's implementation is never asked. A name
    already taken is refused with a message naming the plug-in, and the command line goes
    on without it.

    :return: a list of :class:`~campagne.plugin_types.Commands`.

    .. versionadded:: 0.2.0
    """


@hookspec
def scheduled_jobs() -> list[ScheduledJob]:
    """Register recurring work: reminders, digests, retention, harvests.

    Asked when ``campagne worker`` (or ``campagne demo``) starts, of every plug-in enabled
    in at least one region. Each job runs once per due time, whatever the number of
    workers: the first worker to record the run does it, the others skip it. A job is given
    the regions where its plug-in is enabled and decides there what to do; it must be safe
    to run again after a failure (queue e-mails with a ``dedupe_key`` so that a second run
    sends nothing twice).

    :return: a list of :class:`~campagne.plugin_types.ScheduledJob`.

    .. versionadded:: 0.2.0
    """


@hookspec
def notification_kinds() -> list[NotificationKind]:
    """Declare the kinds of e-mail this plug-in sends to people, so that each person sees
    them on their notifications page (``/account/notifications``) and may switch off the
    optional ones.

    Asked of every plug-in enabled in at least one region. Staff see the ``staff`` kinds of
    the plug-ins enabled in their regions, members the ``member`` kinds of those of their
    region. Before sending an optional kind to an account, check
    :func:`campagne.notifications.preferences.wants` (the engine's features do); a key
    declared twice is recorded as a failure of the second plug-in and left out.

    :return: a list of :class:`~campagne.plugin_types.NotificationKind`.

    .. versionadded:: 0.2.0
    """
