"""``on_inquiry_received``: fired once the inquiry is committed, with an event that names
no one; a failing plug-in changes nothing for the person nor for the inquiry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from inquiry_kit import deliver, inquiries, send_form, smtp_server
from pydantic import ValidationError
from sqlmodel import Session

from campagne.features.inquiries.events import inquiry_event
from campagne.operations.models import Inquiry
from campagne.plugin_types import InquiryEvent
from campagne.testing import RegionKit

LISTENER = '''
from sqlmodel import Session

from campagne import hookimpl
from campagne.operations.models import Inquiry

EVENTS = []
ENGINE = []


@hookimpl
def on_inquiry_received(region, inquiry):
    # the inquiry is committed when plug-ins hear of it: another connection sees it
    with Session(ENGINE[0]) as session:
        stored = session.get(Inquiry, inquiry.inquiry_id)
    EVENTS.append((region.slug, inquiry, stored is not None))
'''
PERSONAL = ("first_name", "last_name", "email", "phone", "message", "activity", "answers",
            "origin_area")


def test_hook_on_inquiry_received(tmp_path: Path) -> None:
    kit = RegionKit(tmp_path / "regions")
    lot = kit.region("lot", plugins={"listener.py": LISTENER})
    cantal = kit.region("cantal", code="15")
    with kit.client([lot, cantal]) as client:
        instance = client.app.state.instance  # type: ignore[attr-defined]
        plugin = instance.plugins.records["lot.listener"].plugin
        plugin.ENGINE.append(instance.engine)
        assert send_form(client, "/lot/candidater", status="founder").status_code == 303
        assert send_form(client, "/cantal/candidater").status_code == 303  # not enabled there
        [(slug, event, committed)] = plugin.EVENTS
        [row, _] = inquiries(instance)
        assert slug == "lot" and committed
        assert event == InquiryEvent(
            kind="received", region_slug="lot", inquiry_id=row.id, member_id=None,
            stage="new", previous_stage=None, source="form", sector="it_internet_ecommerce",
            status="founder", origin_department="75", timing="within_a_year",
            occurred_at=event.occurred_at)
        assert not set(PERSONAL) & set(InquiryEvent.model_fields)
        assert "Camille" not in repr(event) and "example.org" not in repr(event)


def test_a_failing_plugin_is_contained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = LISTENER.replace("    # the inquiry", "    raise RuntimeError('crm down')\n    #")
    kit = RegionKit(tmp_path / "regions")
    lot = kit.region("lot", plugins={"listener.py": broken})
    with smtp_server(monkeypatch) as inbox, kit.client([lot]) as client:
        instance = client.app.state.instance  # type: ignore[attr-defined]
        sent = send_form(client, "/lot/candidater")
        assert sent.status_code == 303
        assert len(inquiries(instance)) == 1
        deliver(instance)
        assert len(inbox.messages) == 1  # the acknowledgement still went
        [failure] = instance.plugins.records["lot.listener"].failures
        assert (failure.hook, failure.region) == ("on_inquiry_received", "lot")
        assert failure.message == "RuntimeError: crm down"
        [listed] = [p for p in client.get("/api/v1/plugins").json() if p["name"] == "lot.listener"]
        assert listed["status"] == "failing"
        api = client.post("/api/v1/regions/lot/inquiries", json={
            "first_name": "A", "last_name": "B", "email": "b@example.org", "consent": True})
        assert api.status_code == 201


def test_the_event_builder_serves_every_kind(tmp_path: Path) -> None:
    instance = RegionKit(tmp_path).instance([RegionKit(tmp_path).region("lot")])
    try:
        with Session(instance.engine) as session:
            row = Inquiry(region_id=1, first_name="A", last_name="B", stage="visit",
                          source="staff", member_id=None, timing="later")
            session.add(row)
            session.commit()
            session.refresh(row)
            at = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
            moved = inquiry_event("lot", row, "stage_changed", previous_stage="new",
                                  occurred_at=at)
        assert (moved.kind, moved.stage, moved.previous_stage, moved.occurred_at) == (
            "stage_changed", "visit", "new", at)
        with pytest.raises(ValidationError):
            moved.stage = "settled"  # type: ignore[misc]
        with pytest.raises(AssertionError):
            inquiry_event("lot", Inquiry(region_id=1, first_name="A", last_name="B"),
                          "received")
    finally:
        instance.engine.dispose()
