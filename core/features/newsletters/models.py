"""The newsletters' tables: the letters staff write, the people who agreed to receive them,
and which letter went to which of them (for the person's export; the figures are kept on
the letter, so they survive an erasure)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from campagne.models import utc_now


class Segment(StrEnum):
    """Who a newsletter goes to, among the people who agreed to receive it."""

    MEMBERS = "members"
    PROSPECTS = "prospects"
    MEETUPS = "meetups"
    SECTOR = "sector"
    COMMUNE = "commune"


class Newsletter(SQLModel, table=True):
    """A letter to a segment of the region's subscribers: a draft until it is sent."""

    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id", index=True)
    subject: str = Field(max_length=200)
    body: str = Field(sa_type=Text, description="Markdown, sent as plain text")
    segment: str = Field(max_length=20, description="One of Segment")
    segment_value: str | None = Field(default=None, max_length=120,
                                      description="The sector's slug or the commune's name")
    author_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: dt.datetime = Field(default_factory=utc_now)
    updated_at: dt.datetime = Field(default_factory=utc_now)
    sent_at: dt.datetime | None = Field(default=None, index=True)
    sent_count: int = Field(default=0, description="E-mails queued when it was sent")
    unsubscribed_count: int = Field(default=0,
                                    description="People who unsubscribed from its link")


class Subscription(SQLModel, table=True):
    """A person's consent to receive the region's newsletter: a member's (from their
    account page) or a prospect's (from the inquiry form). Personal data."""

    __tablename__ = "newsletter_subscription"

    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id", index=True)
    email: str = Field(max_length=200, description="The address given when consenting")
    member_id: int | None = Field(default=None, foreign_key="member.id", unique=True)
    inquiry_id: int | None = Field(default=None, foreign_key="inquiry.id", unique=True)
    consented_at: dt.datetime = Field(default_factory=utc_now)
    source: str = Field(max_length=40, description="account, inquiry_form or inquiry_api")
    unsubscribed_at: dt.datetime | None = Field(default=None, index=True)


class NewsletterSend(SQLModel, table=True):
    """One newsletter queued for one subscriber."""

    __tablename__ = "newsletter_send"
    __table_args__ = (UniqueConstraint("newsletter_id", "subscription_id"),)

    id: int | None = Field(default=None, primary_key=True)
    newsletter_id: int = Field(foreign_key="newsletter.id", index=True)
    subscription_id: int = Field(foreign_key="newsletter_subscription.id", index=True)
    queued_at: dt.datetime = Field(default_factory=utc_now)
