"""The pipeline's state changes as use cases, written once for the API and the pages.

Each function applies the rule of :mod:`campagne.features.pipeline.rules`, writes the audit
record, commits, then tells the plug-ins (:mod:`campagne.features.pipeline.notices`). A
refusal is raised as the rule's exception, which each adapter words its own way (a 4xx
answer for the API, the page again or a redirection for the pages):
:class:`~campagne.features.pipeline.rules.PipelineError` (a field's value),
:class:`~campagne.gdpr.VersionConflict` (changed by someone else),
:class:`~campagne.features.pipeline.rules.InquiryErased` and
:class:`~campagne.features.pipeline.rules.AlreadyConverted`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from campagne.auth import audit
from campagne.auth.access import Principal
from campagne.features.pipeline import notices, rules
from campagne.instance import Instance
from campagne.models import Member
from campagne.operations.models import Inquiry, Interaction
from campagne.operations.timeline import programme_today
from campagne.regions import RegionFolder


@dataclass(frozen=True)
class Context:
    """What a use case needs of the request that asks for it.

    :param instance: the running instance (settings, plug-ins).
    :param region: the region of the inquiry.
    :param session: the request's session; the use case commits it.
    :param address: the client's address, for the audit trail.
    """

    instance: Instance
    region: RegionFolder
    session: Session
    address: str | None


def change(req: Context, staff: Principal, inquiry: Inquiry, values: dict[str, Any],
           version: int) -> list[str]:
    """Apply ``values`` (stage, advisor, next action, corrections) if ``version`` is still
    current, audited as ``update`` with the names of the fields changed; a stage move is
    then told to the plug-ins (and may settle the member). Returns those names."""
    session, region = req.session, req.region
    fields, move = rules.update_inquiry(session, inquiry, region.config.pipeline, region.slug,
                                        values, version, staff.user)
    audit.record(session, staff.user, "update", region_slug=region.slug,
                 target=f"inquiry:{inquiry.id}", address=req.address, fields=fields)
    session.commit()
    if move is not None:
        notices.stage_moved(req.instance, session, region, inquiry, move, staff.user,
                            req.address)
        session.refresh(inquiry)
    return fields


def record_interaction(req: Context, staff: Principal, inquiry: Inquiry, kind: str,
                       summary: str, day: dt.date | None = None) -> Interaction:
    """Add a call, e-mail, meeting, visit or note dated ``day`` (today by default) to the
    inquiry's timeline, audited as ``interaction`` with its kind."""
    session = req.session
    row = rules.add_interaction(session, inquiry, kind, summary, day or programme_today(),
                                staff.user)
    audit.record(session, staff.user, "interaction", region_slug=req.region.slug,
                 target=f"inquiry:{inquiry.id}", address=req.address, kind=kind)
    session.commit()
    session.refresh(row)
    return row


def convert(req: Context, staff: Principal, inquiry: Inquiry, *, sector: str | None = None,
            origin_country: str | None = None) -> Member:
    """Make the inquiry a member, audited as ``convert`` with the member's id; the plug-ins
    hear ``joined`` (and ``settled`` for a settled inquiry)."""
    session = req.session
    member = rules.convert(session, inquiry, req.region.config.pipeline, staff.user,
                           sector=sector, origin_country=origin_country)
    assert member.id is not None
    audit.record(session, staff.user, "convert", region_slug=req.region.slug,
                 target=f"inquiry:{inquiry.id}", address=req.address, member_id=member.id)
    session.commit()
    notices.converted(req.instance, session, req.region, member)
    return member
