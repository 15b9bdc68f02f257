"""A person's timeline as the staff pages show it: entries in the page's language, with
the stages' labels, authors and the members plug-ins' notes refer to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from campagne.config import localize
from campagne.i18n import current_locale, gettext
from campagne.i18n_markers import N_
from campagne.models import Member, Region
from campagne.operations.models import Interaction
from campagne.operations.timeline import PROGRAMME_ZONE, account_names
from campagne.regions import RegionFolder

KIND_LABELS = {"call": N_("Phone call"), "email": N_("E-mail sent or received"),
               "meeting": N_("Meeting"), "visit": N_("Visit on site"),
               "note": N_("Note"), "stage": N_("Stage changed"),
               "conversion": N_("Became a member")}
STAFF_KINDS = ("call", "email", "meeting", "visit", "note")


@dataclass(frozen=True)
class TimelineItem:
    """One entry, ready to show."""

    kind: str
    kind_label: str
    at: dt.datetime
    day: dt.date
    time: str
    summary: str
    detail: str
    author: str | None
    by_plugin: bool
    related_member: tuple[int, str] | None


def stage_label(region: RegionFolder, key: str) -> str:
    """The label of a stage in the page's language (the key for an unknown stage)."""
    stage = region.config.pipeline.stage(key)
    return localize(stage.label, current_locale.get()) if stage else key


def kind_label(kind: str) -> str:
    """The label of an interaction kind in the page's language."""
    return gettext(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def timeline_items(session: Session, region: RegionFolder,
                   rows: list[Interaction]) -> list[TimelineItem]:
    """The entries of ``rows``, newest first."""
    locale = current_locale.get()
    authors = account_names(session, {row.author_id for row in rows if row.author_id})
    related_ids = {row.detail.get("related_member_id") for row in rows
                   if isinstance(row.detail, dict)}
    names = _member_names(session, region.slug, {i for i in related_ids if isinstance(i, int)})
    items = []
    for row in sorted(rows, key=lambda r: (r.at, r.id or 0), reverse=True):
        detail = row.detail if isinstance(row.detail, dict) else {}
        summary, extra = row.summary, ""
        if row.kind == "stage" and "from" in detail and "to" in detail:
            summary = f"{stage_label(region, str(detail['from']))} → " \
                      f"{stage_label(region, str(detail['to']))}"
        if isinstance(detail.get("summary"), dict):
            summary = localize(detail["summary"], locale)
        if isinstance(detail.get("detail"), dict):
            extra = localize(detail["detail"], locale)
        plugin = detail.get("author_label") if isinstance(detail.get("author_label"), str) \
            else None
        related = detail.get("related_member_id")
        local = row.at.replace(tzinfo=row.at.tzinfo or dt.UTC).astimezone(PROGRAMME_ZONE)
        items.append(TimelineItem(
            kind=row.kind, kind_label=kind_label(row.kind), at=row.at, day=local.date(),
            time=local.strftime("%H:%M"), summary=summary, detail=extra,
            author=plugin or (authors.get(row.author_id) if row.author_id else None),
            by_plugin=plugin is not None,
            related_member=(related, names[related]) if related in names else None))
    return items


def _member_names(session: Session, region_slug: str, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Member.id, Member.first_name, Member.last_name)
                        .join(Region, col(Region.id) == col(Member.region_id))
                        .where(col(Member.id).in_(ids), Region.slug == region_slug)).all()
    return {int(i): f"{first} {last}" for i, first, last in rows if i is not None}
