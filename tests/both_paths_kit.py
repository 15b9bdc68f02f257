"""A region with a staff account reachable both ways: the API (bearer token) and the staff
pages (signed-in session), to check that a use case gives the same result on both paths."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from campagne.app import create_app
from campagne.auth.accounts import create_account
from campagne.auth.models import AuditEvent, Role
from campagne.instance import Instance
from campagne.testing import RegionKit

PASSWORD = "a long enough test password"
STAFF = "staff@lot.example"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Staff:
    """The client, the instance, the bearer header and the page session's CSRF token."""

    client: TestClient
    instance: Instance
    bearer: dict[str, str]
    csrf: str

    def audit(self, action: str) -> list[dict[str, Any]]:
        """The audit entries of ``action``, oldest first, without their id and time."""
        with Session(self.instance.engine) as session:
            rows = session.exec(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(col(AuditEvent.id))).all()
            return [row.model_dump(exclude={"id", "at"}) for row in rows]


@contextmanager
def staff_of_lot(kit: RegionKit, plugins: dict[str, str]) -> Iterator[Staff]:
    """The region "lot" with ``plugins`` and a staff account signed in both ways."""
    instance = kit.instance([kit.region("lot", plugins=plugins)])
    with Session(instance.engine) as session:
        create_account(session, instance.settings, email=STAFF, role=Role.STAFF,
                       regions=["lot"], password=PASSWORD)
        session.commit()
    try:
        with TestClient(create_app(instance), raise_server_exceptions=False) as client:
            token = client.post("/api/v1/auth/token", data={
                "username": STAFF, "password": PASSWORD}).json()["access_token"]
            form = CSRF.search(client.get("/account/sign-in").text)
            assert form
            signed = client.post("/account/sign-in", follow_redirects=False, data={
                "csrf": form.group(1), "email": STAFF, "password": PASSWORD})
            assert signed.status_code == 303, signed.text
            found = CSRF.search(client.get("/account/").text)
            assert found
            yield Staff(client, instance, {"Authorization": f"Bearer {token}"},
                        found.group(1))
    finally:
        instance.engine.dispose()
