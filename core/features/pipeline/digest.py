"""The advisers' morning digest: each adviser receives, once a day and per region, the
inquiries assigned to them whose next action is due that day or overdue (in open stages),
in their language. Nobody with nothing due receives anything; an adviser who switched
``followup_digest`` off, or a region with ``notifications: {followup_digest: false}``,
neither. Each e-mail has a dedupe key of the region, account and day: a second run of the
same day sends nothing. (The follow-up of members keeps no due dates: milestones and
services are recorded once reached, so the digest is the pipeline's next actions.)"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from campagne.auth.models import UserAccount
from campagne.instance import Instance
from campagne.models import Region
from campagne.notifications.links import settings_url, site_url
from campagne.notifications.preferences import language_of, wants
from campagne.notifications.regions import queue_in_regions
from campagne.notifications.templates import render_mail
from campagne.operations.models import Inquiry
from campagne.operations.timeline import PROGRAMME_ZONE
from campagne.outbox.queue import queue_mail
from campagne.plugin_types import JobContext
from campagne.regions import RegionFolder

KIND = "followup_digest"


@dataclass(frozen=True)
class DueItem:
    """One line of a digest."""

    name: str
    due_on: dt.date
    action: str | None
    url: str


def run_digest(context: JobContext) -> str:
    """The job: queue the digests of every region where the pipeline is on."""
    today = context.now.astimezone(PROGRAMME_ZONE).date()
    queued = queue_in_regions(context, "followup_digest", lambda session, instance, folder:
                              queue_region_digests(session, instance, folder, today))
    return f"{queued} digest(s) queued for {today.isoformat()}"


def queue_region_digests(session: Session, instance: Instance, region: RegionFolder,
                         today: dt.date) -> int:
    """Queue the digest of each adviser of ``region`` with something due by ``today``;
    return how many were queued (those already queued today are not counted)."""
    settings = instance.settings
    queued = 0
    for advisor_id, inquiries in due_by_advisor(session, region, today).items():
        account = session.get(UserAccount, advisor_id)
        if account is None or not account.active or not wants(session, advisor_id, KIND):
            continue
        items = [DueItem(f"{i.first_name} {i.last_name}", i.next_action_on or today,
                         i.next_action, site_url(settings,
                                                 f"{region.slug}/staff/inquiries/{i.id}"))
                 for i in inquiries]
        mail = render_mail(region.path, KIND, language_of(account, settings.default_locale), {
            "region": region.config.name, "today": today, "items": items,
            "settings_url": settings_url(settings)})
        if queue_mail(session, settings, kind=KIND, to=account.email, subject=mail.subject,
                      body=mail.body, region_slug=region.slug,
                      dedupe_key=f"{KIND}:{region.slug}:{advisor_id}:{today.isoformat()}"):
            queued += 1
    return queued


def due_by_advisor(session: Session, region: RegionFolder, today: dt.date
                   ) -> dict[int, list[Inquiry]]:
    """The region's assigned inquiries in open stages due by ``today``, per adviser,
    earliest first."""
    open_keys = [stage.key for stage in region.config.pipeline.stages if stage.open]
    rows = session.exec(
        select(Inquiry).join(Region, col(Region.id) == col(Inquiry.region_id))
        .where(Region.slug == region.slug, col(Inquiry.erased_at).is_(None),
               col(Inquiry.advisor_id).is_not(None), col(Inquiry.next_action_on) <= today,
               col(Inquiry.stage).in_(open_keys))
        .order_by(col(Inquiry.next_action_on), col(Inquiry.id))).all()
    found: dict[int, list[Inquiry]] = defaultdict(list)
    for row in rows:
        assert row.advisor_id is not None
        found[row.advisor_id].append(row)
    return dict(found)
