"""The public inquiry's submission as a use case, written once for the API and the form.

:func:`submit` stores a checked inquiry (audited as ``inquiry_received``, committed by
:func:`~campagne.features.inquiries.intake.store_inquiry`) with its acknowledgement and the
staff's notices (:mod:`.staff_notice`) in the mail outbox, and queues what follows once the
answer has gone: the plug-ins' ``on_inquiry_received``. The rate limit and the checks of
what was sent stay with each adapter, which answers them its own way (a JSON error for the
API, the form again for the page).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fastapi import BackgroundTasks
from sqlmodel import Session

from campagne.features.inquiries.acknowledgement import acknowledgement, queue_acknowledgement
from campagne.features.inquiries.form import CleanInquiry
from campagne.features.inquiries.intake import after_commit, entry_stage, store_inquiry
from campagne.features.inquiries.staff_notice import queue_staff_notices
from campagne.instance import Instance
from campagne.operations.models import Inquiry, InquirySource
from campagne.outbox.outlook import sending_stalled
from campagne.regions import RegionFolder


class Acknowledged(StrEnum):
    """What may truthfully be said of the acknowledgement e-mail once the inquiry is stored
    (the thanks page's and the API's wording follow it; docs/operations.md)."""

    QUEUED = "queued"
    """Written to the outbox for the address given; the outbox sends as far as it knows."""
    DELAYED = "delayed"
    """Written to the outbox, but the outbox shows that e-mail does not go out now."""
    NONE = "none"
    """No e-mail was written: no address was given."""


@dataclass(frozen=True)
class Submitted:
    """A stored inquiry and what became of its acknowledgement."""

    inquiry: Inquiry
    acknowledged: Acknowledged


@dataclass(frozen=True)
class Context:
    """What the use case needs of the request that asks for it.

    :param instance: the running instance (settings, plug-ins).
    :param region: the region written to.
    :param session: the request's session; the use case commits it.
    :param tasks: tasks run after the response (the plug-ins' hook).
    :param address: the client's address, for the audit trail and the rate limit.
    """

    instance: Instance
    region: RegionFolder
    session: Session
    tasks: BackgroundTasks
    address: str | None


def submit(req: Context, inquiry: CleanInquiry, *, source: InquirySource,
           profile: dict[str, Any], locale: str, consents: tuple[str, ...] = ()) -> Submitted:
    """Store ``inquiry`` at the first stage of the region's pipeline with its
    acknowledgement by e-mail in ``locale`` and the notices to the region's staff (in the
    outbox, same transaction), then, after the answer, tell the plug-ins (with
    ``consents``, the keys of their consent boxes ticked)."""
    settings = req.instance.settings
    config = req.region.config
    outcome = [Acknowledged.NONE]

    def acknowledge(session: Session, row: Inquiry) -> None:
        if row.email:
            queue_acknowledgement(session, settings, req.region.slug, acknowledgement(
                config, settings, first_name=row.first_name, email=row.email, locale=locale))
            outcome[0] = (Acknowledged.DELAYED if sending_stalled(session)
                          else Acknowledged.QUEUED)
        queue_staff_notices(session, req.instance, req.region, row)

    row = store_inquiry(req.session, req.region.slug, inquiry, source=source, profile=profile,
                        address=req.address, stage=entry_stage(config), also=acknowledge)
    req.tasks.add_task(after_commit(req.instance.plugins, req.region.info(), row, consents))
    return Submitted(row, outcome[0])
