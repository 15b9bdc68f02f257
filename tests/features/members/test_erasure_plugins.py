"""Plug-ins are told when a person is erased, without the person's name."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session, select

from campagne.auth.accounts import create_account
from campagne.auth.models import Role
from campagne.models import Member, Region
from campagne.taxonomy import SECTORS
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


def test_erasure_notifies_plugins(tmp_path: Path) -> None:
    kit = RegionKit(tmp_path)
    folder = kit.region("lot", plugins={"listener.py": LISTENER})
    instance = kit.instance([folder])
    with Session(instance.engine) as session:
        region = session.exec(select(Region)).one()
        member = Member(region_id=region.id or 0, first_name="Jeanne", last_name="Testard",
                        sector_slug=SECTORS[0].slug, email="jeanne@example.org")
        session.add(member)
        session.flush()
        create_account(session, instance.settings, email="staff@lot.example", role=Role.STAFF,
                       regions=["lot"], password="a long enough password")
        session.commit()
        member_id = member.id
    instance.engine.dispose()
    with kit.client([folder]) as client:
        token = client.post("/api/v1/auth/token", data={
            "username": "staff@lot.example", "password": "a long enough password"}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        erased = client.post(f"/api/v1/regions/lot/members/{member_id}/erase", headers=headers)
        assert erased.status_code == 200, erased.text
    lines = (folder / "plugins" / "events.jsonl").read_text().splitlines()
    event = json.loads(lines[-1])
    assert event["kind"] == "erased" and event["member_id"] == member_id
    assert "Testard" not in lines[-1] and "jeanne@" not in lines[-1]
