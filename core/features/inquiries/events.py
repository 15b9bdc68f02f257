"""The events plug-ins receive about inquiries: built here, in one place, so that every
kind carries the same fields and none carries a name nor a contact."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from campagne.models import utc_now
from campagne.operations.models import Inquiry
from campagne.plugin_types import InquiryEvent

InquiryEventKind = Literal["received", "stage_changed", "converted"]


def inquiry_event(region_slug: str, inquiry: Inquiry, kind: InquiryEventKind, *,
                  previous_stage: str | None = None,
                  occurred_at: dt.datetime | None = None,
                  consents: tuple[str, ...] = ()) -> InquiryEvent:
    """The event of ``kind`` for a stored ``inquiry`` of ``region_slug`` (ids, stage,
    sector, status, origin département, timing; ``previous_stage`` for a stage change;
    ``consents``, the keys of the consent boxes ticked, for a received one)."""
    assert inquiry.id is not None, "an inquiry is stored before plug-ins hear of it"
    return InquiryEvent(
        kind=kind, region_slug=region_slug, inquiry_id=inquiry.id, member_id=inquiry.member_id,
        stage=inquiry.stage, previous_stage=previous_stage, source=inquiry.source,
        sector=inquiry.sector_slug, status=inquiry.status,
        origin_department=inquiry.origin_department, timing=inquiry.timing,
        occurred_at=occurred_at or utc_now(), consents=consents)
