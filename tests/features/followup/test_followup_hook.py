"""Plug-ins are told when a service is delivered (``on_member_event`` of kind
``service_used``), without the person's name; a failing plug-in does not stop the record."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from campagne.auth.accounts import create_account
from campagne.auth.models import Role
from campagne.models import Member, Region, ServiceUse
from campagne.testing import RegionKit

LISTENER = '''
import json
from pathlib import Path

from campagne import hookimpl

@hookimpl
def on_member_event(region, event):
    with Path(__file__).with_name("events.jsonl").open("a") as out:
        out.write(json.dumps(event.model_dump(mode="json")) + "\\n")
'''
BROKEN = '''
from campagne import hookimpl

@hookimpl
def on_member_event(event):
    raise RuntimeError("the CRM is down")
'''
PASSWORD = "a long enough password"


def _setup(kit: RegionKit, folder: Path) -> int:
    instance = kit.instance([folder])
    with Session(instance.engine) as session:
        region = session.exec(select(Region)).one()
        member = Member(region_id=region.id or 0, first_name="Jeanne", last_name="Testard",
                        sector_slug="other", email="jeanne@example.org")
        session.add(member)
        session.flush()
        create_account(session, instance.settings, email="staff@lot.example", role=Role.STAFF,
                       regions=["lot"], password=PASSWORD)
        session.commit()
        assert member.id is not None
        member_id = member.id
    instance.engine.dispose()
    return member_id


def _headers(client: TestClient) -> dict[str, str]:
    token = client.post("/api/v1/auth/token", data={
        "username": "staff@lot.example", "password": PASSWORD}).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def test_service_delivered_notifies_plugins(tmp_path: Path, database_url: str) -> None:
    kit = RegionKit(tmp_path, database_url)
    folder = kit.region("lot", plugins={"listener.py": LISTENER, "broken.py": BROKEN})
    member_id = _setup(kit, folder)
    with kit.client([folder]) as client:
        answer = client.post(f"/api/v1/regions/lot/members/{member_id}/services",
                             headers=_headers(client),
                             json={"service": "accueil", "used_on": "2025-04-02"})
        assert answer.status_code == 201, "a failing plug-in does not stop the record"
        plugins = {p["name"]: p for p in client.get("/api/v1/plugins").json()}
        engine = client.app.state.instance.engine  # type: ignore[attr-defined]
        with Session(engine) as session:
            assert session.exec(select(ServiceUse)).one().service_id is not None
    lines = (folder / "plugins" / "events.jsonl").read_text().splitlines()
    event = json.loads(lines[-1])
    assert event["kind"] == "service_used" and event["member_id"] == member_id
    assert event["service_slug"] == "accueil" and event["region_slug"] == "lot"
    assert event["occurred_at"].startswith("2025-04-02T00:00:00")
    assert "Testard" not in lines[-1] and "jeanne@" not in lines[-1]
    broken = plugins["lot.broken"]
    assert any(f["hook"] == "on_member_event" for f in broken["failures"]), broken
