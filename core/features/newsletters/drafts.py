"""Writing a newsletter: drafts created and changed by the region's staff (audited), and the
region's newsletters as the staff's list shows them."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from campagne.auth import audit
from campagne.auth.models import UserAccount
from campagne.features.newsletters.models import Newsletter
from campagne.features.newsletters.segments import Choice

SUBJECT_LENGTH = 200
BODY_LENGTH = 50_000


class NotADraft(Exception):
    """The newsletter was sent: it can no longer change."""


def region_newsletters(session: Session, region_id: int) -> list[Newsletter]:
    """The region's newsletters, newest first."""
    return list(session.exec(select(Newsletter).where(Newsletter.region_id == region_id)
                             .order_by(col(Newsletter.id).desc())).all())


def region_newsletter(session: Session, region_id: int, newsletter_id: int) -> Newsletter | None:
    """One of the region's newsletters (``None`` for another region's)."""
    found = session.get(Newsletter, newsletter_id)
    return found if found is not None and found.region_id == region_id else None


def save_draft(session: Session, region_slug: str, region_id: int, draft: Newsletter | None,
               *, subject: str, body: str, choice: Choice, actor: UserAccount,
               address: str | None, now: dt.datetime) -> Newsletter:
    """Create ``draft`` (``None``) or change it, audited; commit and return it."""
    if draft is not None and draft.sent_at is not None:
        raise NotADraft
    row = draft or Newsletter(region_id=region_id, subject=subject, body=body,
                              segment=choice.segment.value, author_id=actor.id, created_at=now)
    row.subject, row.body, row.updated_at = subject, body, now
    row.segment, row.segment_value = choice.segment.value, choice.value
    session.add(row)
    session.flush()
    audit.record(session, actor, "newsletter_write", region_slug=region_slug,
                 target=f"newsletter:{row.id}", address=address)
    session.commit()
    session.refresh(row)
    return row
