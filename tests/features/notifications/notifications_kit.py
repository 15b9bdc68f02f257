"""Helpers of the notifications' tests: a region ``lot`` with staff accounts, an inquiry
sent through the API, the messages one address received."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from accounts_kit import EMAILS, PASSWORD, World
from sqlmodel import Session

from campagne.auth.accounts import create_account
from campagne.auth.models import Role, UserAccount
from campagne.instance import Instance
from campagne.notifications import preferences
from campagne.testing import RegionKit, minimal_region

INQUIRY: dict[str, Any] = {
    "first_name": "Noé", "last_name": "Castagnet", "email": "noe@example.org",
    "origin_department": "33", "status": "founder", "timing": "within_a_year",
    "message": "Un message que l'équipe lit en se connectant", "consent": True,
}
STAFF = {"fr": "conseil-fr@example.org", "en": "adviser-en@example.org",
         "reader": "lecture@example.org"}


def lot_folder(kit: RegionKit, *, mail: dict[str, str] | None = None,
               **config: Any) -> Path:
    """The region ``lot`` (``config``: top-level keys of its ``region.yaml``) with the mail
    templates ``mail`` (file name: text) in its ``mail/`` folder."""
    folder = kit.region("lot", config=minimal_region("lot", **config))
    for name, text in (mail or {}).items():
        (folder / "mail").mkdir(exist_ok=True)
        (folder / "mail" / name).write_text(text, encoding="utf-8")
    return folder


def add_staff(instance: Instance, region: str = "lot") -> dict[str, int]:
    """A French and an English staff account of ``region`` and a read-only one; their ids."""
    ids = {}
    with Session(instance.engine) as session:
        for key, email in STAFF.items():
            account = create_account(session, instance.settings, email=email, role=Role.STAFF,
                                     regions=[region], read_only=key == "reader")
            preferences.save(session, account, off=[], shown=[],
                             language="en" if key == "en" else "fr")
            session.flush()
            assert account.id is not None
            ids[key] = account.id
        session.commit()
    return ids


def switch_off(instance: Instance, account_id: int, kind: str) -> None:
    """Switch ``kind`` off for the account, as its page would."""
    with Session(instance.engine) as session:
        account = session.get(UserAccount, account_id)
        assert account is not None
        preferences.save(session, account, off=[kind], shown=[kind], language=account.language)
        session.commit()


def page_sign_in(w: World, role: str) -> str:
    """Open a page session as ``role``; return its CSRF token."""
    w.client.cookies.clear()
    form = w.client.get("/account/sign-in").text
    token = re.search(r'name="csrf" value="([^"]+)"', form)
    assert token
    signed = w.client.post("/account/sign-in", data={
        "csrf": token.group(1), "email": EMAILS[role], "password": PASSWORD},
        follow_redirects=False)
    assert signed.status_code == 303
    found = re.search(r'name="csrf" value="([^"]+)"', w.client.get("/account/").text)
    assert found
    return found.group(1)
