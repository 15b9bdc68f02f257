"""Telling plug-ins what happened to a member, and recording the notes they give back.

A plug-in never gets a database session (docs/decisions/0010-pipeline-events-and-notes.md):
the event hooks receive frozen payloads without name nor contact, and may return
:class:`~campagne.plugin_types.TimelineNote` values, which the core writes on the person's
timeline as notes signed with the plug-in's name. Hooks are called after the change they
describe is committed, so a failing plug-in never undoes it."""

from __future__ import annotations

from sqlmodel import Session

from campagne.config import localize
from campagne.gdpr import region_member
from campagne.instance import Instance
from campagne.models import Member, MemberStatus, utc_now
from campagne.operations.models import Interaction, InteractionKind
from campagne.plugin_types import MemberEvent, TimelineNote
from campagne.regions import RegionFolder


def record_notes(instance: Instance, session: Session, region: RegionFolder, hook: str,
                 notes: list[tuple[str, TimelineNote]], *, inquiry_id: int | None,
                 member_id: int | None) -> list[Interaction]:
    """Add the plug-ins' notes to a timeline (the caller commits). A related member who is
    not a member of the region is left out and recorded as the plug-in's failure."""
    rows = []
    for plugin, note in notes:
        related = note.related_member_id
        if related is not None:
            found = region_member(session, region.slug, related)
            if found is None or found.erased_at is not None:
                instance.plugins.record_failure(plugin, hook, region.slug, ValueError(
                    f"related member {related} is not a member of {region.slug}"))
                related = None
        row = Interaction(
            inquiry_id=inquiry_id, member_id=member_id, kind=InteractionKind.NOTE.value,
            at=utc_now(), author_id=None, summary=localize(note.summary, "fr"),
            detail={"author_label": plugin, "summary": dict(note.summary),
                    "detail": dict(note.detail) if note.detail else None,
                    "related_member_id": related})
        session.add(row)
        rows.append(row)
    return rows


def member_event(kind: str, region: RegionFolder, member: Member) -> MemberEvent:
    """The event plug-ins receive about ``member`` (no name: id and sector only)."""
    assert member.id is not None
    return MemberEvent(kind=kind, region_slug=region.slug,
                       member_id=member.id, sector=member.sector_slug, occurred_at=utc_now())


def notify_member(instance: Instance, session: Session, region: RegionFolder, kind: str,
                  member: Member) -> None:
    """Send a member event and record the notes given back on the member's timeline;
    commits."""
    notes = instance.plugins.member_event_notes(region.info(),
                                                member_event(kind, region, member))
    record_notes(instance, session, region, "on_member_event", notes, inquiry_id=None,
                 member_id=member.id)
    session.commit()


def member_status_changed(instance: Instance, session: Session, region: RegionFolder,
                          member: Member, previous_status: str) -> None:
    """After an edit of a member's record: a status that became ``settled`` is sent to
    plug-ins as the ``settled`` event."""
    if previous_status != MemberStatus.SETTLED.value \
            and member.status == MemberStatus.SETTLED.value:
        notify_member(instance, session, region, "settled", member)
