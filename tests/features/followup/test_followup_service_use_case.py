"""Recording a service delivered is one use case: the API and the staff page give the same
audit entry, the same ``service_used`` event, and both keep the plug-in's timeline note."""

from __future__ import annotations

from both_paths_kit import staff_of_lot
from sqlmodel import Session, select

from campagne.models import Member, Region
from campagne.testing import RegionKit

LISTENER = '''
from campagne import hookimpl
from campagne.plugin_types import TimelineNote

EVENTS = []


@hookimpl
def on_member_event(event):
    EVENTS.append(event)
    if event.kind != "service_used":
        return None
    return [TimelineNote(summary={"fr": f"Service {event.service_slug}",
                                  "en": f"Service {event.service_slug}"})]
'''


def test_both_paths_record_the_same_and_keep_the_notes(kit: RegionKit) -> None:
    with staff_of_lot(kit, {"listener.py": LISTENER}) as staff:
        with Session(staff.instance.engine) as session:
            region = session.exec(select(Region).where(Region.slug == "lot")).one()
            member = Member(region_id=region.id or 0, first_name="Jeanne",
                            last_name="Testard", sector_slug="other")
            session.add(member)
            session.commit()
            member_id = member.id
        timeline = f"/api/v1/regions/lot/members/{member_id}/timeline"
        answer = staff.client.post(f"/api/v1/regions/lot/members/{member_id}/services",
                                   headers=staff.bearer,
                                   json={"service": "accueil", "used_on": "2025-04-02"})
        assert answer.status_code == 201, answer.text
        notes = [e for e in staff.client.get(timeline, headers=staff.bearer).json()
                 if e["kind"] == "note"]
        assert [(n["summary"], n["author"]) for n in notes] == [
            ("Service accueil", "lot.listener")], "the API keeps the plug-in's note"
        page = staff.client.post(f"/lot/staff/members/{member_id}/services",
                                 follow_redirects=False, data={
                                     "csrf": staff.csrf, "service": "accueil",
                                     "used_on": "2025-04-02"})
        assert page.status_code == 303
        assert page.headers["location"].endswith("followup=saved#follow-up")
        notes = [e for e in staff.client.get(timeline, headers=staff.bearer).json()
                 if e["kind"] == "note"]
        assert [(n["summary"], n["author"]) for n in notes] == [
            ("Service accueil", "lot.listener")] * 2, "the page keeps the plug-in's note"
        api_entry, page_entry = staff.audit("service_recorded")
        assert api_entry == page_entry
        assert api_entry["target"] == f"member:{member_id}"
        assert api_entry["detail"] == {"service": "accueil"}
        plugin = staff.instance.plugins.records["lot.listener"].plugin
        first, second = plugin.EVENTS  # type: ignore[attr-defined]
        assert first.kind == "service_used" and first == second
