"""Test helpers for the follow-up: a world without the demo follow-up of its members."""

from __future__ import annotations

from accounts_kit import World
from sqlmodel import Session, col, select

from campagne.features.followup.models import Milestone


def clear_followup(w: World) -> None:
    """Remove the demo follow-up of the two members the tests use."""
    with Session(w.instance.engine) as session:
        for milestone in session.exec(select(Milestone).where(
                col(Milestone.member_id).in_((w.gers_member, w.orne_member)))):
            session.delete(milestone)
        session.commit()
