"""Test helpers for newsletters: subscriptions made directly in the database, a newsletter
written and sent through the staff's pages, and the unsubscribe link of an e-mail."""

from __future__ import annotations

import re
from typing import Any

from accounts_kit import World
from sqlmodel import Session, select

from campagne.features.newsletters.consent import subscribe_member, subscribe_prospect
from campagne.features.newsletters.models import Newsletter, Subscription
from campagne.models import Member, Region, utc_now
from campagne.operations.models import Inquiry

LINK = re.compile(r"<(https?://[^>]+/newsletters/unsubscribe\?token=[^>]+)>")


def region_id(w: World, slug: str = "gers") -> int:
    """The id of region ``slug``."""
    with Session(w.instance.engine) as session:
        found = session.exec(select(Region.id).where(Region.slug == slug)).one()
        assert found is not None
        return found


def subscribe(w: World, *, member_id: int | None = None,
              inquiry_id: int | None = None) -> int:
    """Record the consent of a member or of an inquiry's prospect; return its id."""
    with Session(w.instance.engine) as session:
        if member_id is not None:
            member = session.get(Member, member_id)
            assert member is not None
            row = subscribe_member(session, member, utc_now())
        else:
            inquiry = session.get(Inquiry, inquiry_id)
            assert inquiry is not None
            found = subscribe_prospect(session, inquiry, utc_now())
            assert found is not None
            row = found
        session.commit()
        assert row.id is not None
        return row.id


def subscription(w: World, subscription_id: int) -> Subscription | None:
    """A subscription as stored now."""
    with Session(w.instance.engine) as session:
        return session.get(Subscription, subscription_id)


def newsletter(w: World, newsletter_id: int) -> Newsletter:
    """A newsletter as stored now."""
    with Session(w.instance.engine) as session:
        found = session.get(Newsletter, newsletter_id)
        assert found is not None
        return found


def write(w: World, csrf: str, slug: str = "gers", **fields: str) -> Any:
    """Post the staff's form of a new newsletter (no redirect followed)."""
    values = {"csrf": csrf, "subject": "Nouvelles du programme",
              "body": "# Bonjour\n\nLa **rencontre** de mars aura lieu à Auch.\n",
              "segment": "members", **fields}
    return w.client.post(f"/{slug}/staff/newsletters", data=values, follow_redirects=False)


def written(w: World, csrf: str, slug: str = "gers", **fields: str) -> int:
    """A newsletter written through the staff's form; its id."""
    response = write(w, csrf, slug, **fields)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].split("?")[0].rsplit("/", 1)[1])


def path_of(link: str) -> str:
    """The path and query of an absolute link (the test client's own address differs)."""
    return "/" + link.split("/", 3)[3]
