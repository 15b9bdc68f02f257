"""Pipeline events for plug-ins: ``on_stage_changed`` and the ``joined`` / ``settled`` member
events, the timeline notes plug-ins return, and a failing plug-in contained."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from campagne.app import create_app
from campagne.auth.accounts import create_account
from campagne.auth.models import Role
from campagne.instance import Instance
from campagne.models import Region
from campagne.operations.models import Inquiry
from campagne.plugin_types import StageChange
from campagne.testing import RegionKit

PASSWORD = "a long enough test password"
LISTENER = '''
from campagne import hookimpl
from campagne.plugin_types import TimelineNote

CHANGES = []
EVENTS = []


@hookimpl
def on_stage_changed(region, change):
    CHANGES.append(change)
    return [TimelineNote(summary={"fr": f"Vu : {change.new_stage}",
                                  "en": f"Seen: {change.new_stage}"})]


@hookimpl
def on_member_event(event):
    EVENTS.append(event)
    if event.kind == "erased":
        return None
    return [TimelineNote(summary={"fr": f"Membre {event.kind}", "en": f"Member {event.kind}"},
                         detail={"fr": "Détail", "en": "Detail"},
                         related_member_id=event.member_id + 100000)]
'''
BROKEN = '''
from campagne import hookimpl


@hookimpl
def on_stage_changed(change):
    raise RuntimeError("stage hook down")


@hookimpl
def on_member_event(event):
    return "not a list"
'''


@contextmanager
def served(kit: RegionKit, plugins: dict[str, str]) -> Iterator[tuple[TestClient, Instance,
                                                                     dict[str, str]]]:
    """The region "lot" with ``plugins``, a staff account and its bearer header."""
    instance = kit.instance([kit.region("lot", plugins=plugins)])
    with Session(instance.engine) as session:
        create_account(session, instance.settings, email="staff@lot.example", role=Role.STAFF,
                       regions=["lot"], password=PASSWORD)
        session.commit()
    try:
        with TestClient(create_app(instance), raise_server_exceptions=False) as client:
            token = client.post("/api/v1/auth/token", data={
                "username": "staff@lot.example", "password": PASSWORD}).json()["access_token"]
            yield client, instance, {"Authorization": f"Bearer {token}"}
    finally:
        instance.engine.dispose()


def add_inquiry(instance: Instance, **fields: Any) -> int:
    with Session(instance.engine) as session:
        region_id = session.exec(select(Region.id).where(Region.slug == "lot")).one()
        inquiry = Inquiry(region_id=region_id, first_name="Paul", last_name="Essai",
                          **{"email": "paul@example.org", "sector_slug": "other", **fields})
        session.add(inquiry)
        session.commit()
        assert inquiry.id is not None
        return inquiry.id


def test_hook_on_stage_changed(kit: RegionKit) -> None:
    with served(kit, {"listener.py": LISTENER}) as (client, instance, staff):
        inquiry = add_inquiry(instance)
        url = f"/api/v1/regions/lot/inquiries/{inquiry}"
        client.patch(url, headers=staff, json={"version": 1, "stage": "contacted"})
        plugin = instance.plugins.records["lot.listener"].plugin
        [change] = plugin.CHANGES  # type: ignore[attr-defined]
        assert isinstance(change, StageChange)
        assert (change.region_slug, change.inquiry_id, change.previous_stage,
                change.new_stage, change.settled, change.closed, change.member_id) == (
            "lot", inquiry, "new", "contacted", False, False, None)
        assert set(StageChange.model_fields) == {
            "region_slug", "inquiry_id", "previous_stage", "new_stage", "settled", "closed",
            "member_id", "occurred_at"}, "no name nor contact in the payload"
        timeline = client.get(url, headers=staff).json()["timeline"]
        note = timeline[-1]
        assert (note["kind"], note["summary"], note["author"]) == (
            "note", "Vu : contacted", "lot.listener")
        english = client.get(url + "?lang=en", headers=staff).json()["timeline"][-1]
        assert english["summary"] == "Seen: contacted"
        # the same change again is no change: no event
        client.patch(url, headers=staff, json={"version": 2, "stage": "contacted"})
        assert len(plugin.CHANGES) == 1  # type: ignore[attr-defined]


def test_joined_and_settled_are_sent_with_their_notes(kit: RegionKit) -> None:
    with served(kit, {"listener.py": LISTENER}) as (client, instance, staff):
        inquiry = add_inquiry(instance)
        url = f"/api/v1/regions/lot/inquiries/{inquiry}"
        member_id = client.post(f"{url}/convert", headers=staff, json={}).json()["member_id"]
        client.patch(url, headers=staff, json={"version": 2, "stage": "settled"})
        plugin = instance.plugins.records["lot.listener"].plugin
        events = plugin.EVENTS  # type: ignore[attr-defined]
        assert [(e.kind, e.member_id, e.sector) for e in events] == [
            ("joined", member_id, "other"), ("settled", member_id, "other")]
        change = plugin.CHANGES[-1]  # type: ignore[attr-defined]
        assert change.settled and change.member_id == member_id
        record = client.get(f"/api/v1/regions/lot/members/{member_id}", headers=staff).json()
        assert record["status"] == "settled" and record["arrival_date"]
        timeline = client.get(f"/api/v1/regions/lot/members/{member_id}/timeline",
                              headers=staff).json()
        notes = [e for e in timeline if e["kind"] == "note"]
        assert [n["summary"] for n in notes] == ["Membre joined", "Vu : settled",
                                                 "Membre settled"]
        # a related member outside the region is left out and counted as the plug-in's failure
        assert all(n["detail"]["related_member_id"] is None for n in notes)
        failures = instance.plugins.records["lot.listener"].failures
        assert any("is not a member of lot" in f.message for f in failures)
        # a status edited to settled by hand sends "settled" too, once
        other = add_inquiry(instance, email="paule@example.org")  # another person
        second = client.post(f"/api/v1/regions/lot/inquiries/{other}/convert", headers=staff,
                             json={}).json()["member_id"]
        for version in (1, 2):
            client.patch(f"/api/v1/regions/lot/members/{second}", headers=staff,
                         json={"version": version, "status": "settled"})
        assert [(e.kind, e.member_id) for e in events[-2:]] == [
            ("joined", second), ("settled", second)]


def test_a_failing_plugin_is_contained(kit: RegionKit) -> None:
    with served(kit, {"listener.py": LISTENER, "broken.py": BROKEN}) as (
            client, instance, staff):
        inquiry = add_inquiry(instance)
        url = f"/api/v1/regions/lot/inquiries/{inquiry}"
        moved = client.patch(url, headers=staff, json={"version": 1, "stage": "contacted"})
        assert moved.status_code == 200 and moved.json()["stage"] == "contacted"
        converted = client.post(f"{url}/convert", headers=staff, json={})
        assert converted.status_code == 201
        timeline = client.get(url, headers=staff).json()["timeline"]
        assert [e["author"] for e in timeline if e["kind"] == "note"] == [
            "lot.listener", "lot.listener"]
        failures = {f.hook: f.message for f in instance.plugins.records["lot.broken"].failures}
        assert failures["on_stage_changed"] == "RuntimeError: stage hook down"
        assert "expected a list of TimelineNote" in failures["on_member_event"]
        listed = {p["name"]: p for p in client.get("/api/v1/plugins").json()}
        assert listed["lot.broken"]["failures"]


def test_erasure_notes_are_not_recorded(kit: RegionKit, tmp_path: Path) -> None:
    with served(kit, {"listener.py": LISTENER}) as (client, instance, staff):
        inquiry = add_inquiry(instance)
        url = f"/api/v1/regions/lot/inquiries/{inquiry}"
        member_id = client.post(f"{url}/convert", headers=staff, json={}).json()["member_id"]
        before = client.get(f"/api/v1/regions/lot/members/{member_id}/timeline",
                            headers=staff).json()
        assert client.post(f"/api/v1/regions/lot/members/{member_id}/erase",
                           headers=staff).status_code == 200
        after = client.get(f"/api/v1/regions/lot/members/{member_id}/timeline",
                           headers=staff).json()
        assert len(after) == len(before)


FAILING_INCENTIVE = '''
from campagne import hookimpl


@hookimpl
def incentives_for_profile(profile):
    raise RuntimeError("incentives down")
'''


def test_a_failing_incentive_plugin_is_named_in_the_verdict(kit: RegionKit) -> None:
    with served(kit, {"bad.py": FAILING_INCENTIVE}) as (client, instance, staff):
        inquiry = add_inquiry(instance, status="independent")
        verdict = client.get(f"/api/v1/regions/lot/inquiries/{inquiry}",
                             headers=staff).json()["eligibility"]
        assert verdict["failed_plugins"] == ["lot.bad"]
        assert verdict["incentives"] == [] and verdict["yearly_total_eur"] == 0
