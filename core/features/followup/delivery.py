"""Recording a service delivered to a member: one use case for the API and the staff page.

It owns the transaction, the audit record and the plug-ins' notice: the service use and its
audit entry are committed together, then plug-ins receive ``on_member_event`` of kind
``service_used`` and the timeline notes they give back are written on the member's timeline,
signed with the plug-in's name."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from campagne.auth import audit
from campagne.auth.models import UserAccount
from campagne.features.followup.records import add_service_use, service_used_event
from campagne.instance import Instance
from campagne.models import Member, Service, ServiceUse
from campagne.operations.member_events import record_notes
from campagne.regions import RegionFolder


def record_service_delivered(instance: Instance, session: Session, region: RegionFolder,
                             member: Member, service: Service, *, used_on: dt.date,
                             advisor_id: int | None, actor: UserAccount | None,
                             address: str | None) -> ServiceUse:
    """Record ``service`` delivered to ``member`` on ``used_on``, audited as
    ``service_recorded``; tell plug-ins and keep their notes. Commits."""
    use = add_service_use(session, member, service, used_on=used_on, advisor_id=advisor_id)
    audit.record(session, actor, "service_recorded", region_slug=region.slug,
                 target=f"member:{member.id}", address=address, service=service.slug)
    session.commit()
    event = service_used_event(region.slug, member, service, use)
    notes = instance.plugins.member_event_notes(region.info(), event)
    record_notes(instance, session, region, "on_member_event", notes, inquiry_id=None,
                 member_id=member.id)
    session.commit()
    return use
