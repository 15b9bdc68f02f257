"""The staff pipeline of a region's inquiries: finding them, moving them through the stages,
assigning them, recording what happened, converting them into members, and an inquiry's
timeline. The use cases of :mod:`campagne.features.pipeline.actions` call these rules and
own the transaction: they write the audit trail and commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from campagne.auth.models import Role, UserAccount, UserRegion
from campagne.config import Pipeline
from campagne.gdpr import VersionConflict
from campagne.models import Member, MemberStatus, Region, utc_now
from campagne.operations.models import Inquiry, Interaction, InteractionKind
from campagne.operations.timeline import PROGRAMME_ZONE, programme_today
from campagne.taxonomy import SECTORS_BY_SLUG
from campagne.uniqueness import raise_if_duplicate

STAFF_KINDS = (InteractionKind.CALL, InteractionKind.EMAIL, InteractionKind.MEETING,
               InteractionKind.VISIT, InteractionKind.NOTE)
FIELD_MAP = {"sector": "sector_slug"}


class PipelineError(ValueError):
    """A change refused because of one field's value (answered as 422 naming the field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class AlreadyConverted(Exception):
    """The inquiry already became a member."""

    def __init__(self, member_id: int) -> None:
        super().__init__(f"already converted into member {member_id}")
        self.member_id = member_id


class InquiryErased(Exception):
    """The inquiry was erased: it can be read, not changed."""


@dataclass(frozen=True)
class StageMove:
    """An inquiry's stage change, as saved."""

    previous: str
    new: str
    at: dt.datetime


@dataclass(frozen=True)
class InquiryCriteria:
    """What to list: non-identifying filters, and name or e-mail for POST searches only."""

    stage: str | None = None
    advisor_id: int | None = None
    unassigned: bool = False
    due_by: dt.date | None = None
    name: str | None = None
    email: str | None = None
    page: int = 1
    per_page: int = 50


def region_inquiry(session: Session, region_slug: str, inquiry_id: int) -> Inquiry | None:
    """An inquiry of ``region_slug`` (``None`` for another region's: no existence oracle)."""
    return session.exec(
        select(Inquiry).join(Region, col(Region.id) == col(Inquiry.region_id))
        .where(Region.slug == region_slug, Inquiry.id == inquiry_id)).first()


def _region_query(region_slug: str) -> Any:
    return (select(Inquiry).join(Region, col(Region.id) == col(Inquiry.region_id))
            .where(Region.slug == region_slug))


def find_inquiries(session: Session, region_slug: str,
                   criteria: InquiryCriteria) -> tuple[int, list[Inquiry]]:
    """The region's inquiries matching ``criteria``, newest first: (total, one page)."""
    query = _region_query(region_slug)
    if criteria.stage:
        query = query.where(Inquiry.stage == criteria.stage)
    if criteria.unassigned:
        query = query.where(col(Inquiry.advisor_id).is_(None))
    elif criteria.advisor_id is not None:
        query = query.where(Inquiry.advisor_id == criteria.advisor_id)
    if criteria.due_by is not None:
        query = query.where(col(Inquiry.next_action_on) <= criteria.due_by)
    if criteria.name:
        pattern = f"%{criteria.name.lower()}%"
        query = query.where(or_(func.lower(Inquiry.first_name).like(pattern),
                                func.lower(Inquiry.last_name).like(pattern)))
    if criteria.email:
        query = query.where(func.lower(Inquiry.email) == criteria.email.strip().lower())
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Inquiry.created_at).desc(), col(Inquiry.id).desc())
                        .offset((criteria.page - 1) * criteria.per_page)
                        .limit(criteria.per_page)).all()
    return int(total), list(rows)


def stage_counts(session: Session, region_slug: str) -> dict[str, int]:
    """How many inquiries (not erased) of the region are at each stage key."""
    rows = session.exec(
        select(Inquiry.stage, func.count()).join(Region, col(Region.id) == col(Inquiry.region_id))
        .where(Region.slug == region_slug, col(Inquiry.erased_at).is_(None))
        .group_by(col(Inquiry.stage))).all()
    return {stage: int(count) for stage, count in rows}


def stage_cards(session: Session, region_slug: str, keys: list[str], *, newest_first: bool,
                limit: int, offset: int = 0) -> list[Inquiry]:
    """Inquiries (not erased) at the stages ``keys``: those waiting longest first, or the
    latest arrivals first; at most ``limit``, after the first ``offset``."""
    order = col(Inquiry.stage_changed_at).desc() if newest_first \
        else col(Inquiry.stage_changed_at)
    return list(session.exec(_region_query(region_slug)
                             .where(col(Inquiry.erased_at).is_(None),
                                    col(Inquiry.stage).in_(keys))
                             .order_by(order, col(Inquiry.id)).offset(offset)
                             .limit(limit)).all())


def region_advisors(session: Session, region_slug: str) -> list[UserAccount]:
    """Accounts that may follow the region's inquiries: its active staff who may write."""
    return list(session.exec(
        select(UserAccount).join(UserRegion, col(UserRegion.user_id) == col(UserAccount.id))
        .join(Region, col(Region.id) == col(UserRegion.region_id))
        .where(Region.slug == region_slug, UserAccount.role == Role.STAFF.value,
               col(UserAccount.active).is_(True), col(UserAccount.read_only).is_(False))
        .order_by(col(UserAccount.email))).all())


def check_advisor(session: Session, region_slug: str, advisor_id: int) -> None:
    """Refuse an advisor who is not active, writing staff of the region."""
    if advisor_id not in {user.id for user in region_advisors(session, region_slug)}:
        raise PipelineError("advisor_id", "the advisor must be an active staff account of "
                            "this region that may make changes")


def update_inquiry(session: Session, inquiry: Inquiry, pipeline: Pipeline, region_slug: str,
                   values: dict[str, Any], version: int,
                   actor: UserAccount | None) -> tuple[list[str], StageMove | None]:
    """Apply ``values`` (field name to value) if ``version`` is still current; return the
    names changed and the stage move, if any. The version check is a compare-and-set."""
    if inquiry.erased_at is not None:
        raise InquiryErased
    if "stage" in values and pipeline.stage(values["stage"]) is None:
        raise PipelineError("stage", f"unknown stage '{values['stage']}'; known: "
                            f"{', '.join(stage.key for stage in pipeline.stages)}")
    if values.get("advisor_id") is not None:
        check_advisor(session, region_slug, values["advisor_id"])
    if values.get("sector") is not None and values["sector"] not in SECTORS_BY_SLUG:
        raise PipelineError("sector", f"unknown sector '{values['sector']}'")
    if inquiry.version != version:
        raise VersionConflict
    now = utc_now()
    columns = {FIELD_MAP.get(name, name): value for name, value in values.items()}
    move = None
    if "stage" in values and values["stage"] != inquiry.stage:
        move = StageMove(previous=inquiry.stage, new=values["stage"], at=now)
        columns["stage_changed_at"] = now
        if pipeline.settled_stage.key == move.new and inquiry.settled_at is None:
            columns["settled_at"] = now
    columns.update(version=version + 1, updated_at=now)
    result = cast(CursorResult[Any], session.execute(
        update(Inquiry).where(col(Inquiry.id) == inquiry.id, col(Inquiry.version) == version)
        .values(**columns)))
    if result.rowcount != 1:
        session.rollback()
        raise VersionConflict
    if move is not None:
        session.add(Interaction(
            inquiry_id=inquiry.id, member_id=inquiry.member_id, kind=InteractionKind.STAGE.value,
            at=now, author_id=actor.id if actor else None,
            summary=f"{move.previous} → {move.new}",
            detail={"from": move.previous, "to": move.new}))
    session.refresh(inquiry)
    return sorted(values), move


def interaction_time(day: dt.date) -> dt.datetime:
    """When an interaction dated ``day`` is placed on the timeline: now for today, noon
    (Paris) for an earlier day."""
    if day >= programme_today():
        return utc_now()
    return dt.datetime.combine(day, dt.time(12), tzinfo=PROGRAMME_ZONE).astimezone(dt.UTC)


def add_interaction(session: Session, inquiry: Inquiry, kind: str, summary: str,
                    day: dt.date, actor: UserAccount | None) -> Interaction:
    """Record a call, e-mail, meeting, visit or note on the inquiry's timeline (and on its
    member's, once converted)."""
    if inquiry.erased_at is not None:
        raise InquiryErased
    if kind not in {k.value for k in STAFF_KINDS}:
        raise PipelineError("kind", f"unknown kind '{kind}'")
    if day > programme_today():
        raise PipelineError("on", "an interaction cannot be dated in the future")
    row = Interaction(inquiry_id=inquiry.id, member_id=inquiry.member_id, kind=kind,
                      at=interaction_time(day), author_id=actor.id if actor else None,
                      summary=summary.strip())
    session.add(row)
    return row


def convert(session: Session, inquiry: Inquiry, pipeline: Pipeline, actor: UserAccount | None,
            *, sector: str | None = None, origin_country: str | None = None) -> Member:
    """Create the member this inquiry became: copy its fields, link it, move its timeline to
    the member and record the conversion. Converting twice raises :class:`AlreadyConverted`
    (a compare-and-set, so two workers cannot both convert); an address a member of the
    region already has raises :class:`~campagne.uniqueness.DuplicatePerson`."""
    if inquiry.member_id is not None:
        raise AlreadyConverted(inquiry.member_id)
    if inquiry.erased_at is not None:
        raise InquiryErased
    chosen = sector or inquiry.sector_slug
    if chosen is None:
        raise PipelineError("sector", "give the person's sector to convert the inquiry")
    if chosen not in SECTORS_BY_SLUG:
        raise PipelineError("sector", f"unknown sector '{chosen}'")
    stage = pipeline.stage(inquiry.stage)
    settled = stage is not None and stage.settled
    now = utc_now()
    member = Member(
        region_id=inquiry.region_id, first_name=inquiry.first_name,
        last_name=inquiry.last_name, email=inquiry.email, phone=inquiry.phone,
        sector_slug=chosen, origin_area=inquiry.origin_area,
        origin_country=origin_country or "FR",
        status=(MemberStatus.SETTLED if settled else MemberStatus.SETTLING).value,
        arrival_date=(inquiry.settled_at or now).date() if settled else None,
        consent_purpose=inquiry.consent_purpose, consent_given_at=inquiry.consent_given_at,
        last_contact_at=inquiry.last_contact_at, synthetic=inquiry.synthetic,
        created_at=now, updated_at=now)
    session.add(member)
    try:
        session.flush()
    except IntegrityError as error:  # a member of the region has the address already
        session.rollback()
        raise_if_duplicate(error)
        raise
    result = cast(CursorResult[Any], session.execute(
        update(Inquiry).where(col(Inquiry.id) == inquiry.id, col(Inquiry.member_id).is_(None))
        .values(member_id=member.id, converted_at=now, version=Inquiry.version + 1,
                updated_at=now)))
    if result.rowcount != 1:
        session.rollback()
        session.refresh(inquiry)
        raise AlreadyConverted(inquiry.member_id or 0)
    session.execute(update(Interaction).where(col(Interaction.inquiry_id) == inquiry.id)
                    .values(member_id=member.id))
    session.add(Interaction(inquiry_id=inquiry.id, member_id=member.id,
                            kind=InteractionKind.CONVERSION.value, at=now,
                            author_id=actor.id if actor else None, summary="",
                            detail={"member_id": member.id}))
    session.refresh(inquiry)
    return member


def settle_member(session: Session, member: Member, day: dt.date) -> bool:
    """Mark a member settled (arrival ``day`` unless known); ``False`` if they already
    were."""
    if member.status == MemberStatus.SETTLED.value:
        return False
    member.status = MemberStatus.SETTLED.value
    member.arrival_date = member.arrival_date or day
    member.version += 1
    member.updated_at = utc_now()
    session.add(member)
    return True


def inquiry_timeline(session: Session, inquiry: Inquiry) -> list[Interaction]:
    """The inquiry's history; once converted, the member's whole history."""
    condition = col(Interaction.inquiry_id) == inquiry.id
    if inquiry.member_id is not None:
        condition = or_(condition, col(Interaction.member_id) == inquiry.member_id)
    return list(session.exec(select(Interaction).where(condition)
                             .order_by(col(Interaction.at), col(Interaction.id))).all())


