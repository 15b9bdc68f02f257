"""Personal data rights: reading, correcting, exporting and erasing a member's record.
Erasure anonymises in place so that every aggregate figure stays the same."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from campagne.api.member_schemas import MemberOut, SelfUpdate
from campagne.auth.models import UserAccount
from campagne.models import Consent, Member, Region, utc_now
from campagne.operations.history_erasure import erase_member_history
from campagne.operations.inquiry_privacy import member_inquiries
from campagne.operations.locking import begin_immediate
from campagne.outbox.retention import forget_recipient
from campagne.plugin_manager import MemberExportSections
from campagne.plugin_types import MemberEvent
from campagne.uniqueness import raise_if_duplicate

if TYPE_CHECKING:
    from campagne.instance import Instance

ERASED_NAME = "—"
FIELD_MAP = {"sector": "sector_slug"}


class VersionConflict(Exception):
    """The record changed since the caller read it."""


def member_out(member: Member, region_slug: str) -> MemberOut:
    """The API shape of a record."""
    assert member.id is not None
    return MemberOut(
        id=member.id, region=region_slug, first_name=member.first_name,
        last_name=member.last_name, email=member.email, phone=member.phone,
        business_name=member.business_name, siret=member.siret, naf_code=member.naf_code,
        sector=member.sector_slug, commune=member.commune, origin_area=member.origin_area,
        origin_country=member.origin_country, arrival_date=member.arrival_date,
        left_on=member.left_on, status=member.status, last_contact_at=member.last_contact_at,
        consent_purpose=member.consent_purpose, consent_given_at=member.consent_given_at,
        erased=member.erased_at is not None, version=member.version)


def apply_update(session: Session, member: Member, change: SelfUpdate) -> list[str]:
    """Apply the fields sent, if ``change.version`` is still current; return their names.
    The version check is a compare-and-set in SQL, so two workers cannot both win. An e-mail
    address or SIRET another member of the region has raises
    :class:`~campagne.uniqueness.DuplicatePerson` (answered 409)."""
    fields = change.model_dump(exclude_unset=True, exclude={"version"})
    values = {FIELD_MAP.get(name, name): value for name, value in fields.items()}
    values.update(version=member.version + 1, updated_at=utc_now())
    if member.version != change.version:
        raise VersionConflict
    try:
        result = cast(CursorResult[Any], session.execute(
            update(Member).where(col(Member.id) == member.id,
                                 col(Member.version) == change.version).values(**values)))
    except IntegrityError as error:
        session.rollback()
        raise_if_duplicate(error)
        raise
    if result.rowcount != 1:
        session.rollback()
        raise VersionConflict
    session.refresh(member)
    return sorted(fields)


def export_member(session: Session, member: Member, region_slug: str,
                  account: UserAccount | None, instance: Instance) -> dict[str, Any]:
    """Everything held about a member, as JSON-ready data (GDPR art. 15 and 20): the record,
    consents and account, what each built-in feature holds (its own keys:
    ``meetup_registrations``, ``desk_bookings``...) and, under ``plugins``, the sections of
    the other plug-ins that keep data of their own (present when one of the region's
    plug-ins implements ``export_member_data``)."""
    assert member.id is not None
    consents = session.exec(select(Consent).where(Consent.member_id == member.id)).all()
    folder = instance.region(region_slug)
    sections = (instance.plugins.export_member_data(folder.info(), session, member.id)
                if folder is not None else MemberExportSections())
    takes_part = folder is not None and any(
        "export_member_data" in record.hooks(instance.plugins.pm)
        for record in instance.plugins.enabled_for(region_slug) if record.source != "builtin")
    return {**_engine_export(member, region_slug, account, consents),
            "inquiries": member_inquiries(session, member.id),
            **sections.features,
            **({"plugins": sections.plugins} if takes_part else {})}


def _engine_export(member: Member, region_slug: str, account: UserAccount | None,
                   consents: Any) -> dict[str, Any]:
    return {
        "exported_at": utc_now().isoformat(),
        "record": member_out(member, region_slug).model_dump(mode="json"),
        "consents": [{"purpose": c.purpose, "given_at": c.given_at.isoformat(),
                      "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None}
                     for c in consents],
        "account": None if account is None else {
            "email": account.email, "name": account.display_name, "role": account.role,
            "created_at": account.created_at.isoformat(),
            "last_login_at": account.last_login_at.isoformat() if account.last_login_at
            else None},
    }


def erase_member(session: Session, member: Member, instance: Instance) -> None:
    """Anonymise a record: identity and contact details go, the fields aggregates count
    (region, sector, status, origin area and country, arrival year) stay. Any account of
    the person is deactivated and detached. First, every feature and plug-in of the region
    erases what it holds of the person (``erase_member_data``, in the same transaction: the
    meetups and desks give back the seats to come, and leave the mails to the people
    promoted for after the commit, see :func:`campagne.after_commit.run_deferred`). The
    caller commits, then runs the deferred work.

    On SQLite the writer lock is taken first (``begin_immediate``): the features read, then
    write, each in a savepoint of this transaction, and another writer's commit between a
    read and the first write would make SQLite refuse the write ("database is locked")."""
    assert member.id is not None
    begin_immediate(session)
    region = session.get(Region, member.region_id)
    folder = instance.region(region.slug) if region is not None else None
    if folder is not None:  # first: the meetups take their locks there
        instance.plugins.erase_member_data(folder.info(), session, member.id)
    forget_recipient(session, member.email)  # e-mails waiting or kept for the record
    member.first_name = member.last_name = ERASED_NAME
    for name in ("email", "phone", "business_name", "siret", "naf_code", "commune",
                 "consent_purpose", "consent_given_at", "last_contact_at"):
        setattr(member, name, None)
    if member.arrival_date is not None:
        member.arrival_date = dt.date(member.arrival_date.year, 1, 1)
    member.erased_at = utc_now()
    member.version += 1
    session.add(member)
    for consent in session.exec(select(Consent).where(Consent.member_id == member.id)):
        session.delete(consent)
    for account in session.exec(select(UserAccount).where(
            UserAccount.member_id == member.id)):
        forget_recipient(session, account.email)
        account.active = False
        account.member_id = None
        account.email = f"erased-{account.id}@invalid"
        account.display_name = None
        account.password_hash = None
        session.add(account)
    erase_member_history(session, member)  # pipeline: inquiries and timeline


def region_member(session: Session, region_slug: str, member_id: int) -> Member | None:
    """A member of ``region_slug`` (``None`` for another region's: no existence oracle)."""
    return session.exec(
        select(Member).join(Region, col(Region.id) == col(Member.region_id))
        .where(Region.slug == region_slug, Member.id == member_id)).first()


def erased_event(region_slug: str, member: Member) -> MemberEvent:
    """The event plug-ins receive when a person is erased (no name: id and sector only)."""
    assert member.id is not None
    return MemberEvent(kind="erased", region_slug=region_slug, member_id=member.id,
                       sector=member.sector_slug, occurred_at=utc_now())


def record_consent(session: Session, member: Member, purpose: str) -> Consent:
    """Record a consent with its purpose and the current date (the caller commits)."""
    assert member.id is not None
    consent = Consent(member_id=member.id, purpose=purpose)
    session.add(consent)
    return consent


def withdraw_consent(session: Session, member: Member, purpose: str) -> int:
    """Withdraw every live consent of ``purpose``; return how many (the caller commits)."""
    count = 0
    for consent in session.exec(select(Consent).where(
            Consent.member_id == member.id, Consent.purpose == purpose,
            col(Consent.withdrawn_at).is_(None))):
        consent.withdrawn_at = utc_now()
        session.add(consent)
        count += 1
    return count


def consents_of(session: Session, member: Member) -> list[Consent]:
    """A person's consents, oldest first."""
    return list(session.exec(select(Consent).where(Consent.member_id == member.id)
                             .order_by(col(Consent.given_at))).all())
