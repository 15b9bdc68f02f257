"""Retention rules: how long personal data is kept, per region, and the purge that
anonymises what has outlived its rule.

Defaults follow the CNIL's published guidance:
- prospects: three years after the last contact they initiated;
- candidates turned down: three months after the decision, or two years with their
  consent to keep the application (consent purpose ``keep_application``);
- members who left: three years after they left (end of the relationship).

Inquiries follow the same periods: one still open is a prospect's; one "not pursued" is a
candidate's turned down (its consent to keep it is ``answers["keep_application"]``); one
that became a member follows the member.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session, col, delete, select

from campagne.after_commit import run_deferred
from campagne.auth import audit, throttle
from campagne.auth.models import Credential, LoginAttempt
from campagne.gdpr import erase_member
from campagne.models import Consent, Member, MemberStatus, Region, utc_now
from campagne.operations.inquiry_privacy import anonymise_inquiry
from campagne.operations.models import Inquiry
from campagne.settings import CampagneSettings

if TYPE_CHECKING:
    from campagne.instance import Instance

DEFAULT_DAYS = {
    "prospect": 3 * 365,
    "declined": 91,
    "declined_with_consent": 2 * 365,
    "left": 3 * 365,
}
KEEP_APPLICATION = "keep_application"


def rules(settings: CampagneSettings, region_slug: str) -> dict[str, int]:
    """The retention periods (days) of a region: the defaults, then its overrides."""
    return {**DEFAULT_DAYS, **settings.retention.get(region_slug, {})}


@dataclass(frozen=True)
class Expired:
    """A record past its retention period (no name: the list may be printed)."""

    member_id: int
    region: str
    status: str
    rule: str
    since: dt.date


def _reference_date(member: Member) -> dt.date:
    if member.status == MemberStatus.PROSPECT.value and member.last_contact_at:
        return member.last_contact_at
    if member.status == MemberStatus.LEFT.value and member.left_on:
        return member.left_on
    return member.updated_at.date()


def _rule(session: Session, member: Member) -> str | None:
    if member.status == MemberStatus.DECLINED.value:
        kept = session.exec(select(Consent).where(
            Consent.member_id == member.id, Consent.purpose == KEEP_APPLICATION,
            col(Consent.withdrawn_at).is_(None))).first()
        return "declined_with_consent" if kept else "declined"
    if member.status in (MemberStatus.PROSPECT.value, MemberStatus.LEFT.value):
        return member.status
    return None


def expired_records(session: Session, settings: CampagneSettings,
                    today: dt.date | None = None) -> list[Expired]:
    """Every not-yet-erased record whose retention period is over."""
    today = today or utc_now().date()
    rows = session.exec(select(Member, Region.slug)
                        .join(Region, col(Region.id) == col(Member.region_id))
                        .where(col(Member.erased_at).is_(None))
                        .order_by(col(Member.id))).all()
    found = []
    for member, slug in rows:
        rule = _rule(session, member)
        if rule is None:
            continue
        since = _reference_date(member)
        if since + dt.timedelta(days=rules(settings, slug)[rule]) <= today:
            assert member.id is not None
            found.append(Expired(member.id, slug, member.status, rule, since))
    return found


def purge(session: Session, instance: Instance, *, dry_run: bool,
          today: dt.date | None = None) -> list[Expired]:
    """Anonymise the expired records (unless ``dry_run``); return them. The region's
    features and plug-ins erase what they hold of each person too; the mails they leave
    for after the commit (to people given a freed place) go out then."""
    expired = expired_records(session, instance.settings, today)
    if dry_run:
        return expired
    for item in expired:
        member = session.get(Member, item.member_id)
        assert member is not None
        erase_member(session, member, instance)
        audit.record(session, None, "purge", region_slug=item.region,
                     target=f"member:{item.member_id}", rule=item.rule)
    session.commit()
    run_deferred(session, instance)
    return expired


def purge_plugin_data(session: Session, instance: Instance,
                      today: dt.date | None = None) -> dict[str, int]:
    """Let each region's plug-ins remove the personal data past their own periods
    (``purge_personal_data``), audited per plug-in and region; commit; return the rows
    removed by plug-in."""
    today = today or utc_now().date()
    removed: dict[str, int] = {}
    for slug, folder in sorted(instance.regions.items()):
        for plugin, count in instance.plugins.purge_personal_data(
                folder.info(), session, today).items():
            if count:
                audit.record(session, None, "purge", region_slug=slug,
                             target=f"plugin:{plugin}", rows=count)
            removed[plugin] = removed.get(plugin, 0) + count
    session.commit()
    return removed


def housekeeping(session: Session, settings: CampagneSettings) -> int:
    """Delete sign-in failures and counters past their window, known sign-in pairs past
    theirs and credentials expired for a day or more; return how many rows went. None of
    them holds anything the audit trail does not."""
    now = utc_now()
    window = now - dt.timedelta(minutes=settings.login_window_minutes)
    attempts = session.exec(delete(LoginAttempt).where(
        col(LoginAttempt.at) < window, col(LoginAttempt.key).not_like(f"{INQUIRY_KEY}%")))
    inquiry_window = now - dt.timedelta(minutes=settings.inquiry_rate_window_minutes)
    inquiry_counts = session.exec(delete(LoginAttempt).where(
        col(LoginAttempt.at) < inquiry_window, col(LoginAttempt.key).like(f"{INQUIRY_KEY}%")))
    credentials = session.exec(delete(Credential).where(
        col(Credential.expires_at) < now - dt.timedelta(days=1)))
    counters = throttle.purge(session, settings, now)
    session.commit()
    return (int(attempts.rowcount or 0) + int(credentials.rowcount or 0)
            + int(inquiry_counts.rowcount or 0) + counters)


# --- inquiries (intake) ---------------------------------------------------------------
#: Stages of a pipeline that mean "not pursued" (the candidate was turned down or gave up).
NOT_PURSUED_STAGES = ("not_pursued",)
#: The rate limit counters of the inquiry form (see campagne.features.inquiries.intake).
INQUIRY_KEY = "inquiry:"


@dataclass(frozen=True)
class ExpiredInquiry:
    """An inquiry past its retention period (no name: the list may be printed)."""

    inquiry_id: int
    region: str
    stage: str
    rule: str
    since: dt.date


def _inquiry_rule(inquiry: Inquiry) -> tuple[str, dt.date]:
    if inquiry.stage in NOT_PURSUED_STAGES:
        kept = inquiry.answers.get(KEEP_APPLICATION) is True
        return ("declined_with_consent" if kept else "declined"), inquiry.stage_changed_at.date()
    return "prospect", inquiry.last_contact_at or inquiry.created_at.date()


def expired_inquiries(session: Session, settings: CampagneSettings,
                      today: dt.date | None = None) -> list[ExpiredInquiry]:
    """Every not-yet-anonymised inquiry past its period; those that became a member
    follow the member's rules (and go with the member's erasure)."""
    today = today or utc_now().date()
    rows = session.exec(select(Inquiry, Region.slug)
                        .join(Region, col(Region.id) == col(Inquiry.region_id))
                        .where(col(Inquiry.erased_at).is_(None), col(Inquiry.member_id).is_(None))
                        .order_by(col(Inquiry.id))).all()
    found = []
    for inquiry, slug in rows:
        rule, since = _inquiry_rule(inquiry)
        if since + dt.timedelta(days=rules(settings, slug)[rule]) <= today:
            assert inquiry.id is not None
            found.append(ExpiredInquiry(inquiry.id, slug, inquiry.stage, rule, since))
    return found


def purge_inquiries(session: Session, settings: CampagneSettings, *, dry_run: bool,
                    today: dt.date | None = None) -> list[ExpiredInquiry]:
    """Anonymise the expired inquiries (unless ``dry_run``); return them."""
    expired = expired_inquiries(session, settings, today)
    if dry_run:
        return expired
    for item in expired:
        inquiry = session.get(Inquiry, item.inquiry_id)
        assert inquiry is not None
        anonymise_inquiry(session, inquiry)
        audit.record(session, None, "purge", region_slug=item.region,
                     target=f"inquiry:{item.inquiry_id}", rule=item.rule)
    session.commit()
    return expired
