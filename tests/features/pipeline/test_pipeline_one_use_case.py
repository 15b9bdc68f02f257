"""The pipeline's changes are use cases (``campagne.features.pipeline.actions``): moving an
inquiry, recording an interaction and converting it write the same audit records and tell
the plug-ins the same things through the staff API and through the staff pages."""

from __future__ import annotations

from typing import Any

from both_paths_kit import Staff, staff_of_lot
from sqlmodel import Session, select

from campagne.models import Region
from campagne.operations.models import Inquiry
from campagne.testing import RegionKit

LISTENER = '''
from campagne import hookimpl

EVENTS = []


@hookimpl
def on_stage_changed(region, change):
    EVENTS.append(("stage", change.previous_stage, change.new_stage))


@hookimpl
def on_member_event(region, event):
    EVENTS.append(("member", event.kind))
'''
API = "/api/v1/regions/lot/inquiries"
PAGES = "/lot/staff/inquiries"


def _inquiry(staff: Staff, n: int) -> int:
    """An inquiry of the Lot at the first stage."""
    with Session(staff.instance.engine) as session:
        region_id = session.exec(select(Region.id).where(Region.slug == "lot")).one()
        row = Inquiry(region_id=region_id, first_name="Léa", last_name=f"Voie{n}",
                      email=f"lea{n}@example.org", sector_slug="it_internet_ecommerce")
        session.add(row)
        session.commit()
        assert row.id is not None
        return row.id


def _by_api(staff: Staff, inquiry: int) -> None:
    client, headers = staff.client, staff.bearer
    moved = client.patch(f"{API}/{inquiry}", headers=headers,
                         json={"version": 1, "stage": "contacted"})
    assert moved.status_code == 200, moved.text
    noted = client.post(f"{API}/{inquiry}/interactions", headers=headers,
                        json={"kind": "call", "summary": "Premier appel"})
    assert noted.status_code == 201, noted.text
    converted = client.post(f"{API}/{inquiry}/convert", headers=headers, json={})
    assert converted.status_code == 201, converted.text


def _by_page(staff: Staff, inquiry: int) -> None:
    client, csrf = staff.client, staff.csrf
    for path, data in ((f"{PAGES}/{inquiry}/stage", {"version": "1", "stage": "contacted"}),
                       (f"{PAGES}/{inquiry}/interactions",
                        {"kind": "call", "summary": "Premier appel"}),
                       (f"{PAGES}/{inquiry}/convert", {})):
        answer = client.post(path, data={"csrf": csrf, **data}, follow_redirects=False)
        assert answer.status_code == 303, answer.text
        assert "conflict" not in answer.headers["location"]


def _shape(entry: dict[str, Any], inquiry: int) -> dict[str, Any]:
    """An audit entry with the inquiry's and the member's ids taken out."""
    detail = {key: value for key, value in entry["detail"].items() if key != "member_id"}
    return {**entry, "target": entry["target"].replace(str(inquiry), "ID"), "detail": detail}


def test_the_api_and_the_pages_record_and_tell_the_same(kit: RegionKit) -> None:
    with staff_of_lot(kit, {"listener.py": LISTENER}) as staff:
        events: list[Any] = staff.instance.plugins.records[  # type: ignore[attr-defined]
            "lot.listener"].plugin.EVENTS
        outcomes = []
        for n, way in enumerate((_by_api, _by_page)):
            inquiry = _inquiry(staff, n)
            del events[:]
            way(staff, inquiry)
            audit = [_shape(entry, inquiry) for action in ("update", "interaction", "convert")
                     for entry in staff.audit(action) if entry["target"] == f"inquiry:{inquiry}"]
            outcomes.append((audit, list(events)))
        assert outcomes[0] == outcomes[1]
        audit, told = outcomes[0]
        assert [entry["action"] for entry in audit] == ["update", "interaction", "convert"]
        assert audit[0]["detail"] == {"fields": ["stage"]}
        assert audit[1]["detail"] == {"kind": "call"}
        assert told == [("stage", "new", "contacted"), ("member", "joined")]
