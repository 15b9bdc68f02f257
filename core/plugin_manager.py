"""The plug-in manager: which plug-ins exist, where they are enabled, and typed,
contained calls of every hook.

Core code never calls ``pm.hook.<name>`` itself: it calls the typed methods
below, which call each enabled plug-in in turn (sorted by name, so the order is
fixed and documented), contain its exceptions and check what it returns.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import pluggy
from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import Engine
from sqlmodel import Session

from campagne import hookspecs
from campagne.operations.locking import begin_immediate
from campagne.plugin_data import PluginData, PluginStore, RegionScoped, region_id_of
from campagne.plugin_types import (
    CandidateProfile,
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

log = logging.getLogger(__name__)
#: The engine's own features are registered as ``campagne.<feature>``.
BUILTIN_PREFIX = "campagne."
T = TypeVar("T")
PluginSource = Literal["builtin", "region", "shared", "package"]


@dataclass(frozen=True)
class PluginFailure:
    """One contained failure of a plug-in."""

    hook: str
    region: str | None
    message: str
    at: dt.datetime


@dataclass
class PluginRecord:
    """A registered plug-in: where it comes from and where it is enabled."""

    name: str
    short_name: str
    source: PluginSource
    origin: str
    plugin: object
    settings_model: type[BaseModel] | None
    opt_in: bool = False
    settings: dict[str, BaseModel | None] = field(default_factory=dict)
    failures: deque[PluginFailure] = field(default_factory=lambda: deque(maxlen=20))
    #: The file it was loaded from, when there is one (errors are placed there).
    file: Path | None = None
    #: Its own tables (``TABLES``) and the folder of their migrations (``MIGRATIONS``).
    tables: tuple[type[RegionScoped], ...] = ()
    migrations: Path | None = None
    #: It declares that it stores personal data (``PERSONAL_DATA = True``).
    personal_data: bool = False
    #: For a built-in feature, what ``campagne purge`` prints after its count of rows.
    purged: str = ""

    @property
    def table_names(self) -> list[str]:
        """Names of its own tables."""
        return sorted(str(table.__tablename__) for table in self.tables)

    @property
    def regions(self) -> list[str]:
        """Slugs of the regions where this plug-in is enabled."""
        return sorted(self.settings)

    def hooks(self, pm: pluggy.PluginManager) -> list[str]:
        """Names of the hooks this plug-in implements."""
        return sorted(caller.name for caller in pm.get_hookcallers(self.plugin) or [])


@dataclass
class MemberExportSections:
    """The plug-ins' parts of a person's data export: the built-in features' keys, merged
    into the export itself, and the other plug-ins' sections, by short name."""

    features: dict[str, Any] = field(default_factory=dict)
    plugins: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IncentiveResult:
    """The incentives of a region for a profile, and the plug-ins that failed to answer."""

    incentives: list[tuple[str, Incentive]]
    failed_plugins: list[str]


class CampagnePluginManager:
    """One per application (never a module global), so tests and instances stay apart."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.records: dict[str, PluginRecord] = {}
        self.load_failures: dict[str, str] = {}
        # Read on every hook call, changed only by ``register``: the records in calling
        # order, and each hook's implementations by plug-in name.
        self._ordered: list[PluginRecord] | None = None
        self._implementations: dict[str, dict[str, pluggy.HookImpl]] = {}
        #: The database the plug-ins' stores open (set by :func:`~campagne.instance.load_instance`).
        self.engine: Engine | None = None

    def store(self, plugin: str, region_slug: str) -> PluginStore:
        """The store through which ``plugin`` reaches its tables in ``region_slug``."""
        return PluginStore(plugin=plugin, region_slug=region_slug,
                           tables=self.records[plugin].tables, engine=lambda: self.engine)

    def register(self, record: PluginRecord) -> None:
        """Register a plug-in; its hook implementations are checked against the specs."""
        self.pm.register(record.plugin, name=record.name)
        self.records[record.name] = record
        self._ordered = None
        self._implementations.clear()

    def enabled_for(self, region: str) -> list[PluginRecord]:
        """The plug-ins enabled for ``region``: the engine's features first, in their fixed
        order (``campagne.features.BUILTIN_FEATURES``), then the others sorted by name."""
        if self._ordered is None:
            builtins = [record for record in self.records.values()
                        if record.source == "builtin"]
            others = [record for _, record in sorted(self.records.items())
                      if record.source != "builtin"]
            self._ordered = builtins + others
        return [record for record in self._ordered if region in record.settings]

    def is_enabled(self, name: str, region: str) -> bool:
        """True when the plug-in registered as ``name`` runs for ``region``."""
        record = self.records.get(name)
        return record is not None and region in record.settings

    def feature_enabled(self, feature: str, region: str) -> bool:
        """True when the built-in feature ``feature`` is on for ``region``."""
        return self.is_enabled(f"{BUILTIN_PREFIX}{feature}", region)

    # -- typed hook calls -------------------------------------------------

    def holders_of_personal_data(self, region: str) -> list[PluginRecord]:
        """The plug-ins the GDPR hooks reach in ``region``: those enabled there, and every
        built-in feature, even switched off (its rows stay, and are still the person's)."""
        enabled = self.enabled_for(region)
        switched_off = [record for record in self.records.values()
                        if record.source == "builtin" and record not in enabled]
        return [*(r for r in enabled if r.source == "builtin"), *switched_off,
                *(r for r in enabled if r.source != "builtin")]

    def _call(self, hook_name: str, region: RegionInfo, failed: list[str] | None = None,
              *, session: Session | None = None, personal_data: bool = False,
              **kwargs: Any) -> list[tuple[str, Any]]:
        """Call ``hook_name`` on each enabled plug-in; names of failing ones go to ``failed``.

        With ``session``, each plug-in runs in a savepoint of it, so that a failing one
        leaves nothing half done, and gets its ``data`` over it. With ``personal_data``
        (the GDPR hooks), the built-in features are called even where switched off
        (:meth:`holders_of_personal_data`)."""
        by_plugin = self._implementations.get(hook_name)
        if by_plugin is None:
            caller: pluggy.HookCaller = getattr(self.pm.hook, hook_name)
            by_plugin = self._implementations[hook_name] = {
                impl.plugin_name: impl for impl in caller.get_hookimpls()}
        results: list[tuple[str, Any]] = []
        records = (self.holders_of_personal_data(region.slug) if personal_data
                   else self.enabled_for(region.slug))
        for record in records:
            impl = by_plugin.get(record.name)
            if impl is None:
                continue
            # Each plug-in gets its own copy of the region: the configuration holds lists
            # and dicts, which a frozen model does not stop a plug-in from changing.
            own_region = region.model_copy(deep=True) if "region" in impl.argnames else region
            available = {"region": own_region, "settings": record.settings.get(region.slug),
                         **kwargs}
            if isinstance(kwargs.get("profile"), CandidateProfile) and "profile" in impl.argnames:
                # Its own copy too: a frozen profile still holds a dict of plug-in values.
                available["profile"] = kwargs["profile"].model_copy(deep=True)
            if "store" in impl.argnames:
                available["store"] = self.store(record.name, region.slug)
            try:
                if session is None:
                    result = impl.function(**{arg: available[arg] for arg in impl.argnames})
                else:
                    with session.begin_nested():
                        available["data"] = PluginData(
                            session, plugin=record.name, region_slug=region.slug,
                            region_id=region_id_of(session, region.slug), tables=record.tables)
                        result = impl.function(**{arg: available[arg]
                                                  for arg in impl.argnames})
            except Exception as exc:  # noqa: BLE001 - a plug-in must not take the page down
                self.record_failure(record.name, hook_name, region.slug, exc)
                if failed is not None:
                    failed.append(record.name)
                continue
            results.append((record.name, result))
        return results

    def record_failure(self, plugin: str, hook: str, region: str | None, exc: Exception) -> None:
        """Log a contained failure and keep it for ``/api/v1/plugins``."""
        message = f"{type(exc).__name__}: {exc}"
        log.error("plug-in %r failed in hook %s for region %s: %s", plugin, hook, region, message,
                  exc_info=exc)
        self.records[plugin].failures.append(
            PluginFailure(hook=hook, region=region, message=message, at=dt.datetime.now(dt.UTC))
        )

    def _checked(self, hook: str, region: RegionInfo, kind: type[T],
                 results: list[tuple[str, Any]],
                 failed: list[str] | None = None) -> list[tuple[str, T]]:
        """Keep results that are lists of ``kind``; record any other answer as a failure."""
        checked: list[tuple[str, T]] = []
        for plugin, value in results:
            if value is None:
                continue
            if not isinstance(value, list | tuple) or not all(isinstance(v, kind) for v in value):
                error = TypeError(f"expected a list of {kind.__name__}, got {value!r:.80}")
                self.record_failure(plugin, hook, region.slug, error)
                if failed is not None:
                    failed.append(plugin)
                continue
            checked.extend((plugin, item) for item in value)
        return checked

    def services(self, region: RegionInfo) -> list[tuple[str, ServiceSpec]]:
        """Services added by plug-ins; a slug already taken is a failure of the later one."""
        taken = {service.slug for service in region.config.services}
        kept: list[tuple[str, ServiceSpec]] = []
        results = self._call("register_services", region)
        for plugin, service in self._checked("register_services", region, ServiceSpec, results):
            if service.slug in taken:
                error = ValueError(f"service slug '{service.slug}' is already used")
                self.record_failure(plugin, "register_services", region.slug, error)
                continue
            taken.add(service.slug)
            kept.append((plugin, service))
        return kept

    def incentives(self, region: RegionInfo, profile: CandidateProfile) -> IncentiveResult:
        """Incentives for ``profile``; plug-ins that fail are listed, never silently dropped."""
        failed: list[str] = []
        results = self._call("incentives_for_profile", region, failed, profile=profile)
        incentives = self._checked("incentives_for_profile", region, Incentive, results, failed)
        return IncentiveResult(incentives=incentives, failed_plugins=sorted(set(failed)))

    def profile_fields(self, region: RegionInfo) -> list[tuple[str, ProfileField]]:
        """Profile fields declared by plug-ins; a key declared by two plug-ins is a failure
        of both and is left out."""
        results = self._call("profile_fields", region)
        declared = self._checked("profile_fields", region, ProfileField, results)
        owners: dict[str, list[str]] = {}
        for plugin, profile_field in declared:
            owners.setdefault(profile_field.key, []).append(plugin)
        for key, plugins in owners.items():
            if len(plugins) < 2:
                continue
            for plugin in dict.fromkeys(plugins):
                others = [other for other in plugins if other != plugin] or [plugin]
                error = ValueError(f"profile field '{key}' is also declared by "
                                   f"{', '.join(dict.fromkeys(others))}")
                self.record_failure(plugin, "profile_fields", region.slug, error)
        return [(plugin, f) for plugin, f in declared if len(owners[f.key]) == 1]

    def consent_questions(self, region: RegionInfo, locale: str) -> list[ConsentQuestion]:
        """The consent boxes the region's plug-ins add to its inquiry form; a key given by
        two plug-ins is a failure of both and is left out."""
        results = self._call("consent_questions", region, locale=locale)
        asked = self._checked("consent_questions", region, ConsentQuestion, results)
        owners: dict[str, list[str]] = {}
        for plugin, question in asked:
            owners.setdefault(question.key, []).append(plugin)
        for key, plugins in owners.items():
            for plugin in dict.fromkeys(plugins) if len(plugins) > 1 else ():
                self.record_failure(plugin, "consent_questions", region.slug, ValueError(
                    f"consent question '{key}' is also asked by {', '.join(plugins)}"))
        return [question for _, question in asked if len(owners[question.key]) == 1]

    def routers(self, region: RegionInfo, hook: str) -> list[tuple[str, APIRouter]]:
        """API or page routers (``hook`` is ``register_api_routes`` or ``register_pages``)."""
        routers = []
        for plugin, router in self._call(hook, region):
            if router is None:
                continue
            if not isinstance(router, APIRouter):
                self.record_failure(plugin, hook, region.slug, TypeError("expected an APIRouter"))
                continue
            routers.append((self.records[plugin].short_name, router))
        return routers

    def template_dirs(self, region: RegionInfo) -> list[Path]:
        """Template folders given by plug-ins, in plug-in name order."""
        dirs = self._checked("template_dirs", region, Path, self._call("template_dirs", region))
        return [path for _, path in dirs]

    def template_vars(self, region: RegionInfo, page: str, locale: str) -> dict[str, Any]:
        """Extra template variables; a name given by several plug-ins is dropped, and each
        of them has one failure naming the others."""
        merged: dict[str, Any] = {}
        owners: dict[str, list[str]] = {}
        for plugin, extra in self._call("extra_template_vars", region, page=page, locale=locale):
            if not isinstance(extra, dict):
                self.record_failure(plugin, "extra_template_vars", region.slug,
                                    TypeError("expected a dict"))
                continue
            for key, value in extra.items():
                owners.setdefault(key, []).append(plugin)
                merged[key] = value
        for key, plugins in owners.items():
            if len(plugins) < 2:
                continue
            del merged[key]
            for one in plugins:
                others = ", ".join(other for other in plugins if other != one)
                error = ValueError(f"variable '{key}' is also given by {others}")
                self.record_failure(one, "extra_template_vars", region.slug, error)
        return merged

    def notify_member_event(self, region: RegionInfo, event: MemberEvent) -> None:
        """Tell enabled plug-ins about a member event where no note is kept; failures and
        answers of the wrong type are logged and kept, as by :meth:`member_event_notes`."""
        self.member_event_notes(region, event)

    def notify_event_registration(self, region: RegionInfo,
                                  registration: EventRegistration) -> None:
        """Tell enabled plug-ins about a meetup sign-up; failures are logged and kept."""
        self._call("on_event_registration", region, registration=registration)

    def member_event_notes(self, region: RegionInfo, event: MemberEvent
                           ) -> list[tuple[str, TimelineNote]]:
        """Tell enabled plug-ins about a member event; return the timeline notes they give
        (a failure or an answer of the wrong type is contained and recorded)."""
        results = self._call("on_member_event", region, event=event)
        return self._checked("on_member_event", region, TimelineNote, results)

    def stage_changed_notes(self, region: RegionInfo, change: StageChange
                            ) -> list[tuple[str, TimelineNote]]:
        """Tell enabled plug-ins an inquiry changed stage; return their timeline notes."""
        results = self._call("on_stage_changed", region, change=change)
        return self._checked("on_stage_changed", region, TimelineNote, results)

    def extra_indicators(self, region: RegionInfo, period: Period
                         ) -> list[tuple[str, ExtraIndicator]]:
        """Plug-ins' statistics indicators; a key given twice by a plug-in is a failure."""
        results = self._call("extra_indicators", region, period=period)
        kept: list[tuple[str, ExtraIndicator]] = []
        seen: set[tuple[str, str]] = set()
        for plugin, indicator in self._checked("extra_indicators", region, ExtraIndicator,
                                               results):
            if (plugin, indicator.key) in seen:
                error = ValueError(f"indicator '{indicator.key}' is given twice")
                self.record_failure(plugin, "extra_indicators", region.slug, error)
                continue
            seen.add((plugin, indicator.key))
            kept.append((plugin, indicator))
        return kept

    def operations_figures(self, region: RegionInfo, session: Session, period: Period,
                           threshold: int, defaults: Mapping[str, Measure | Count]
                           ) -> dict[str, Measure | Count]:
        """The figures named in ``defaults`` as the region's features give them, the
        default (not available) for those none gives. A name outside ``defaults``, a value
        of another type than its default, or a name given by two plug-ins is recorded as a
        failure (of both, for a clash) and left out."""
        given: dict[str, Measure | Count] = {}
        owners: dict[str, list[str]] = {}
        for plugin, figures in self._call("operations_figures", region, session=session,
                                          period=period, threshold=threshold):
            if not isinstance(figures, dict):
                self.record_failure(plugin, "operations_figures", region.slug,
                                    TypeError(f"expected a dict, got {figures!r:.80}"))
                continue
            for name, value in figures.items():
                if name not in defaults or type(value) is not type(defaults[name]):
                    self.record_failure(plugin, "operations_figures", region.slug, TypeError(
                        f"not a figure a feature gives: {name!r} = {value!r:.80}"))
                    continue
                owners.setdefault(name, []).append(plugin)
                given[name] = value
        for name, plugins in owners.items():
            if len(plugins) > 1:
                del given[name]
                for plugin in plugins:
                    self.record_failure(plugin, "operations_figures", region.slug,
                                        ValueError(f"figure '{name}' is given by {plugins}"))
        return {**defaults, **given}

    def notify_inquiry_received(self, region: RegionInfo, event: InquiryEvent) -> None:
        """Tell enabled plug-ins about a new inquiry; failures are logged and kept."""
        self._call("on_inquiry_received", region, inquiry=event)


    # -- hooks called once, for the whole application ---------------------

    def _call_global(self, hook_name: str) -> list[tuple[str, Any]]:
        """Call ``hook_name`` once on each plug-in enabled in at least one region."""
        caller: pluggy.HookCaller = getattr(self.pm.hook, hook_name)
        by_plugin = {impl.plugin_name: impl for impl in caller.get_hookimpls()}
        results: list[tuple[str, Any]] = []
        for name, record in sorted(self.records.items()):
            impl = by_plugin.get(name)
            if impl is None or not record.settings:
                continue
            try:
                results.append((name, impl.function()))
            except Exception as exc:  # noqa: BLE001 - one plug-in must not stop the start
                self.record_failure(name, hook_name, None, exc)
        return results

    def app_routes(self) -> list[tuple[str, Routes]]:
        """Every plug-in's route sets, by ``order`` then plug-in name (a stable sort)."""
        kept: list[tuple[str, Routes]] = []
        for plugin, value in self._call_global("app_routes"):
            if value is None:
                continue
            if not isinstance(value, list | tuple) or not all(
                    isinstance(item, Routes) for item in value):
                self.record_failure(plugin, "app_routes", None,
                                    TypeError(f"expected a list of Routes, got {value!r:.80}"))
                continue
            kept.extend((plugin, item) for item in value)
        return sorted(kept, key=lambda pair: pair[1].order)

    def scheduled_jobs(self) -> list[tuple[str, ScheduledJob]]:
        """Every plug-in's scheduled jobs, by plug-in then job name; a value of the wrong
        shape is recorded as that plug-in's failure."""
        kept: list[tuple[str, ScheduledJob]] = []
        for plugin, value in self._call_global("scheduled_jobs"):
            if value is None:
                continue
            if not isinstance(value, list | tuple) or not all(
                    isinstance(item, ScheduledJob) for item in value):
                self.record_failure(plugin, "scheduled_jobs", None, TypeError(
                    f"expected a list of ScheduledJob, got {value!r:.80}"))
                continue
            kept.extend((plugin, item) for item in value)
        return sorted(kept, key=lambda pair: (pair[0], pair[1].name))

    def notification_kinds(self) -> list[tuple[str, NotificationKind]]:
        """Every plug-in's notification kinds with the plug-in of each, in plug-in order; a
        key already declared, or a value of the wrong shape, is that plug-in's failure."""
        kept: dict[str, tuple[str, NotificationKind]] = {}
        for plugin, value in self._call_global("notification_kinds"):
            if not isinstance(value, list | tuple) or not all(
                    isinstance(item, NotificationKind) for item in value):
                if value is not None:
                    self.record_failure(plugin, "notification_kinds", None, TypeError(
                        f"expected a list of NotificationKind, got {value!r:.80}"))
                continue
            for kind in value:
                if kind.key in kept:
                    self.record_failure(plugin, "notification_kinds", None, ValueError(
                        f"kind '{kind.key}' is declared by {kept[kind.key][0]}"))
                    continue
                kept[kind.key] = (plugin, kind)
        return list(kept.values())

    def site_template_dirs(self, *, builtin_only: bool = False) -> list[Path]:
        """Template folders every page may use, in plug-in name order; with
        ``builtin_only``, those of the engine's own features alone."""
        dirs: list[Path] = []
        for plugin, value in self._call_global("site_template_dirs"):
            if builtin_only and self.records[plugin].source != "builtin":
                continue
            if value is None:
                continue
            if not isinstance(value, list | tuple) or not all(
                    isinstance(item, Path) for item in value):
                self.record_failure(plugin, "site_template_dirs", None,
                                    TypeError(f"expected a list of Path, got {value!r:.80}"))
                continue
            dirs.extend(value)
        return dirs

    def delivery_places(self, listing: str, region: RegionInfo, session: Session,
                        locale: str) -> list[PlaceLink]:
        """The places of ``listing`` in the region (hook ``delivery_places``), in the
        plug-ins' order, each plug-in's in its own order."""
        results = self._call("delivery_places", region, session=session, listing=listing,
                             locale=locale)
        return [place for _plugin, place in
                self._checked("delivery_places", region, PlaceLink, results)]

    def menu(self, region: RegionInfo, locale: str) -> list[MenuEntry]:
        """The region's menu entries from its plug-ins, by ``order`` then plug-in name."""
        return self._menu_entries("menu_entries", region, locale)

    def staff_menu(self, region: RegionInfo, locale: str) -> list[MenuEntry]:
        """The region's staff menu entries from its plug-ins, by ``order`` then name."""
        return self._menu_entries("staff_menu_entries", region, locale)

    def _menu_entries(self, hook: str, region: RegionInfo, locale: str) -> list[MenuEntry]:
        results = self._call(hook, region, locale=locale)
        entries = self._checked(hook, region, MenuEntry, results)
        return [entry for _, entry in sorted(entries, key=lambda pair: pair[1].order)]

    def panels(self, page: str, region: RegionInfo, session: Session, member_id: int | None,
               locale: str) -> list[tuple[str, Panel]]:
        """The panels the region's plug-ins add to ``page``, with the name of the plug-in
        of each, by ``order`` then plug-in name."""
        results = self._call("page_panels", region, session=session, page=page,
                             member_id=member_id, locale=locale)
        panels = self._checked("page_panels", region, Panel, results)
        return sorted(panels, key=lambda pair: pair[1].order)

    # -- personal data (GDPR) ---------------------------------------------

    def export_member_data(self, region: RegionInfo, session: Session,
                           member_id: int) -> MemberExportSections:
        """Each plug-in's section of a person's export (JSON-ready values; a failure or a
        value JSON cannot hold is left out and recorded). A built-in feature's section is a
        mapping of the export's own keys; another plug-in's is filed under its short name."""
        found = MemberExportSections()
        for plugin, section in self._call("export_member_data", region, session=session,
                                          personal_data=True, member_id=member_id):
            record = self.records[plugin]
            try:
                json.dumps(section)
                if record.source == "builtin" and not isinstance(section, dict):
                    raise TypeError(f"expected a mapping of export keys, got {section!r:.80}")
            except (TypeError, ValueError) as exc:
                self.record_failure(plugin, "export_member_data", region.slug, exc)
                continue
            if record.source == "builtin":
                found.features.update(section)
            else:
                found.plugins[record.short_name] = section
        return found

    def erase_member_data(self, region: RegionInfo, session: Session, member_id: int) -> None:
        """Let each plug-in erase what it holds about a person, in the erasure's transaction
        (which holds SQLite's writer lock: :func:`campagne.gdpr.erase_member`)."""
        self._call("erase_member_data", region, session=session, personal_data=True,
                   member_id=member_id)

    def demo_data(self, region: RegionInfo, session: Session) -> dict[str, int]:
        """Let each plug-in add its demo records to the region; return how many each added
        (a failure is contained: its records are undone, the others are kept)."""
        added: dict[str, int] = {}
        for plugin, count in self._call("demo_data", region, session=session):
            if isinstance(count, int) and not isinstance(count, bool) and count > 0:
                added[plugin] = count
        return added

    def purge_personal_data(self, region: RegionInfo, session: Session,
                            today: dt.date) -> dict[str, int]:
        """Let each plug-in remove what outlived its retention; return how many rows each
        says it removed (on SQLite with the writer lock held: the plug-ins read, then
        write)."""
        begin_immediate(session)
        removed: dict[str, int] = {}
        for plugin, count in self._call("purge_personal_data", region, session=session,
                                        personal_data=True, today=today):
            if count is None:
                continue
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                error = TypeError(f"expected a count of rows, got {count!r:.80}")
                self.record_failure(plugin, "purge_personal_data", region.slug, error)
                continue
            removed[plugin] = count
        return removed
