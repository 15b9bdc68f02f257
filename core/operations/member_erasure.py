"""Erasing a member at the staff's request, the one use case behind the API
(``POST .../members/{id}/erase``) and the staff page: anonymise the record and give back the
person's seats, write the audit trail, commit, then tell the people promoted from a waiting
list and the plug-ins (the features leave that for after the commit)."""

from __future__ import annotations

from fastapi import BackgroundTasks
from sqlmodel import Session

from campagne.after_commit import run_deferred
from campagne.auth import audit
from campagne.auth.models import UserAccount
from campagne.gdpr import erase_member, erased_event
from campagne.instance import Instance
from campagne.models import Member
from campagne.regions import RegionFolder


def erase(instance: Instance, session: Session, region: RegionFolder, member: Member,
          actor: UserAccount, address: str | None, tasks: BackgroundTasks) -> None:
    """Erase ``member`` of ``region`` for ``actor`` (audited as ``erase``) and commit."""
    erase_member(session, member, instance)
    audit.record(session, actor, "erase", region_slug=region.slug,
                 target=f"member:{member.id}", address=address)
    session.commit()
    session.refresh(member)
    run_deferred(session, instance, tasks)  # the mails to the people given a freed place
    instance.plugins.notify_member_event(region.info(), erased_event(region.slug, member))
