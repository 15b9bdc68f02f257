"""Telling plug-ins what happened in the pipeline (a stage change, a conversion), after the
change is committed, and recording the notes they give back on the timeline (see
:mod:`campagne.operations.member_events`)."""

from __future__ import annotations

from sqlmodel import Session

from campagne.auth import audit
from campagne.auth.models import UserAccount
from campagne.features.pipeline.rules import StageMove, settle_member
from campagne.instance import Instance
from campagne.models import Member, MemberStatus
from campagne.operations.member_events import notify_member, record_notes
from campagne.operations.models import Inquiry
from campagne.operations.timeline import programme_today
from campagne.plugin_types import StageChange
from campagne.regions import RegionFolder


def stage_moved(instance: Instance, session: Session, region: RegionFolder, inquiry: Inquiry,
                move: StageMove, actor: UserAccount | None, address: str | None) -> None:
    """After a saved stage change: tell plug-ins and record their notes; when the inquiry
    reached the settled stage and became a member, settle the member (audited) and send
    ``settled``. Commits."""
    assert inquiry.id is not None
    stage = region.config.pipeline.stage(move.new)
    change = StageChange(region_slug=region.slug, inquiry_id=inquiry.id,
                         previous_stage=move.previous, new_stage=move.new,
                         settled=bool(stage and stage.settled),
                         closed=bool(stage and stage.closed),
                         member_id=inquiry.member_id, occurred_at=move.at)
    notes = instance.plugins.stage_changed_notes(region.info(), change)
    record_notes(instance, session, region, "on_stage_changed", notes,
                 inquiry_id=inquiry.id, member_id=inquiry.member_id)
    session.commit()
    if not change.settled or inquiry.member_id is None:
        return
    member = session.get(Member, inquiry.member_id)
    if member is None or member.erased_at is not None:
        return
    if settle_member(session, member, programme_today()):
        audit.record(session, actor, "update", region_slug=region.slug,
                     target=f"member:{member.id}", address=address, fields=["status"],
                     reason=f"inquiry:{inquiry.id} settled")
        session.commit()
        notify_member(instance, session, region, "settled", member)


def converted(instance: Instance, session: Session, region: RegionFolder,
              member: Member) -> None:
    """After a conversion: ``joined``, then ``settled`` if the inquiry had already
    settled. Commits."""
    notify_member(instance, session, region, "joined", member)
    if member.status == MemberStatus.SETTLED.value:
        notify_member(instance, session, region, "settled", member)
