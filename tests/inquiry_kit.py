"""Test helpers for inquiries: the form's CSRF token, a valid set of answers, the stored
inquiries (the SMTP server is mail_kit's)."""

from __future__ import annotations

import re
from typing import Any

from accounts_kit import EMAILS, World
from fastapi.testclient import TestClient
from mail_kit import Inbox, deliver, free_port, smtp_server
from sqlmodel import Session, col, select

from campagne.auth.accounts import find_account
from campagne.instance import Instance
from campagne.models import Region
from campagne.operations.models import Inquiry

__all__ = ["Inbox", "account_id", "answers", "csrf_of", "deliver", "free_port", "inquiries",
           "new_inquiry", "send_form", "smtp_server"]


def csrf_of(html: str) -> str:
    """The CSRF token of the form in ``html``."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def answers(**changes: str) -> dict[str, str]:
    """A complete, valid form (Gers or Orne), with ``changes``."""
    base = {"first_name": "Camille", "last_name": "Durandal", "email": "camille@example.org",
            "phone": "+33 6 12 34 56 78", "origin_area": "Île-de-France",
            "origin_department": "75", "activity": "Développeuse web",
            "sector": "it_internet_ecommerce", "status": "independent",
            "timing": "within_a_year", "heard_from": "press",
            "message": "Je voudrais visiter un village.", "consent": "on"}
    base.update(changes)
    return {key: value for key, value in base.items() if value != ""}


def send_form(client: TestClient, path: str = "/gers/candidater", **changes: str) -> Any:
    """Open the form at ``path`` and send it with ``changes`` (no redirect followed)."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    return client.post(path, data={"csrf": csrf_of(page.text), **answers(**changes)},
                       follow_redirects=False)


def inquiries(instance: Instance, *, email: str | None = None) -> list[Inquiry]:
    """The stored inquiries that are not demo data (of ``email``, if given)."""
    with Session(instance.engine) as session:
        query = select(Inquiry).where(col(Inquiry.synthetic).is_(False))
        if email is not None:
            query = query.where(Inquiry.email == email)
        return list(session.exec(query.order_by(col(Inquiry.id))).all())


def new_inquiry(w: World, region: str = "gers", **fields: Any) -> int:
    """An inquiry created directly in the database (the public form is another area's)."""
    with Session(w.instance.engine) as session:
        region_id = session.exec(select(Region.id).where(Region.slug == region)).one()
        values: dict[str, Any] = {"first_name": "Léa", "last_name": "Testeuse",
                                  "email": "lea.testeuse@example.org", "stage": "new",
                                  "sector_slug": "it_internet_ecommerce", **fields}
        inquiry = Inquiry(region_id=region_id, **values)
        session.add(inquiry)
        session.commit()
        assert inquiry.id is not None
        return inquiry.id


def account_id(w: World, role: str) -> int:
    """The id of the account of ``role``."""
    with Session(w.instance.engine) as session:
        account = find_account(session, EMAILS[role])
        assert account and account.id
        return account.id
