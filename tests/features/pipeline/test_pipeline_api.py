"""The staff pipeline through the API, on SQLite and PostgreSQL: stage moves, version
conflicts, advisors, isolation between regions, read-only staff, conversion with the whole
history, the audit trail and the eligibility verdict."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts_kit import EMAILS, World, world
from inquiry_kit import account_id, new_inquiry
from sqlmodel import Session, col, select

from campagne.auth.models import AuditEvent
from campagne.models import Member
from campagne.operations.models import Inquiry, Interaction
from campagne.operations.timeline import programme_today

API = "/api/v1/regions"
PROFILE = {"household_size": 2, "commute_minutes_one_way": 50, "commute_km_one_way": 30,
           "commute_mode": "car", "commute_days_per_week": 5, "housing_budget_eur": 250000,
           "housing_kind": "buy"}


@pytest.fixture
def w(tmp_path: Path, database_url: str) -> Iterator[World]:
    with world(tmp_path, database_url) as built:
        yield built


def test_stage_moves_and_stale_versions(w: World) -> None:
    staff = w.headers("staff_gers")
    inquiry = new_inquiry(w)
    url = f"{API}/gers/inquiries/{inquiry}"
    read = w.client.get(url, headers=staff).json()
    assert read["stage"] == "new" and read["stage_label"] == "Nouvelle demande"
    moved = w.client.patch(url, headers=staff, json={"version": read["version"],
                                                     "stage": "contacted"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["stage"] == "contacted" and moved.json()["version"] == read["version"] + 1
    [entry] = [e for e in moved.json()["timeline"] if e["kind"] == "stage"]
    assert entry["detail"] == {"from": "new", "to": "contacted"}
    assert entry["author"] == EMAILS["staff_gers"]
    stale = w.client.patch(url, headers=staff, json={"version": read["version"],
                                                     "stage": "discovery_visit"})
    assert stale.status_code == 409
    assert w.client.get(url, headers=staff).json()["stage"] == "contacted"
    unknown = w.client.patch(url, headers=staff, json={"version": read["version"] + 1,
                                                       "stage": "elsewhere"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "stage"
    for forbidden in ({"member_id": 1}, {"region_id": 2}, {"source": "api"}, {"id": 9}):
        answer = w.client.patch(url, headers=staff, json={"version": 2, **forbidden})
        assert answer.status_code == 422, forbidden
    emptied = w.client.patch(url, headers=staff, json={"version": 2, "last_name": None})
    assert emptied.status_code == 422


def test_corrections_next_action_and_settled_date(w: World) -> None:
    staff = w.headers("staff_gers")
    url = f"{API}/gers/inquiries/{new_inquiry(w)}"
    due = (programme_today() + dt.timedelta(days=2)).isoformat()
    changed = w.client.patch(url, headers=staff, json={
        "version": 1, "next_action_on": due, "next_action": "Rappeler",
        "phone": "05 62 00 00 00", "origin_department": "75"}).json()
    assert changed["next_action_on"] == due and changed["phone"] == "05 62 00 00 00"
    settled = w.client.patch(url, headers=staff, json={"version": 2, "stage": "settled"})
    assert settled.json()["settled_at"] is not None
    bad = w.client.patch(url, headers=staff, json={"version": 3, "origin_department": "00"})
    assert bad.status_code == 422


def test_the_advisor_must_be_writing_staff_of_the_region(w: World) -> None:
    staff = w.headers("staff_gers")
    url = f"{API}/gers/inquiries/{new_inquiry(w)}"
    for role in ("staff_orne", "reader_gers", "admin", "member"):
        refused = w.client.patch(url, headers=staff, json={
            "version": 1, "advisor_id": account_id(w, role)})
        assert refused.status_code == 422, role
        assert refused.json()["errors"] == [{"field": "advisor_id", "message": (
            "the advisor must be an active staff account of this region that may make "
            "changes")}]
    mine = account_id(w, "staff_gers")
    assigned = w.client.patch(url, headers=staff, json={"version": 1, "advisor_id": mine})
    assert assigned.status_code == 200
    assert assigned.json()["advisor_email"] == EMAILS["staff_gers"]
    cleared = w.client.patch(url, headers=staff, json={"version": 2, "advisor_id": None})
    assert cleared.json()["advisor_id"] is None


def test_regions_are_isolated(w: World) -> None:
    gers = new_inquiry(w)
    orne = new_inquiry(w, "orne")
    orne_staff, gers_staff = w.headers("staff_orne"), w.headers("staff_gers")
    for method, path, body in (
            ("GET", f"{API}/gers/inquiries", None),
            ("GET", f"{API}/gers/inquiries/{gers}", None),
            ("PATCH", f"{API}/gers/inquiries/{gers}", {"version": 1, "stage": "contacted"}),
            ("POST", f"{API}/gers/inquiries/{gers}/interactions", {"kind": "call",
                                                                    "summary": "x"}),
            ("POST", f"{API}/gers/inquiries/{gers}/convert", {})):
        answer = w.client.request(method, path, headers=orne_staff, json=body)
        assert answer.status_code == 403, (method, path)
    # another region's id under one's own region does not exist
    assert w.client.get(f"{API}/gers/inquiries/{orne}", headers=gers_staff).status_code == 404
    assert w.client.patch(f"{API}/gers/inquiries/{orne}", headers=gers_staff,
                          json={"version": 1, "stage": "contacted"}).status_code == 404
    listed = w.client.get(f"{API}/orne/inquiries?per_page=200", headers=orne_staff).json()
    assert orne in {i["id"] for i in listed["items"]}
    assert gers not in {i["id"] for i in listed["items"]}
    with Session(w.instance.engine) as session:
        assert session.get(Inquiry, gers).stage == "new"  # type: ignore[union-attr]


def test_read_only_staff_read_but_do_not_write(w: World) -> None:
    reader = w.headers("reader_gers")
    inquiry = new_inquiry(w)
    assert w.client.get(f"{API}/gers/inquiries/{inquiry}", headers=reader).status_code == 200
    assert w.client.patch(f"{API}/gers/inquiries/{inquiry}", headers=reader,
                          json={"version": 1, "stage": "contacted"}).status_code == 403
    assert w.client.post(f"{API}/gers/inquiries/{inquiry}/convert", headers=reader,
                         json={}).status_code == 403


def test_list_filters_pagination_and_search(w: World) -> None:
    staff = w.headers("staff_gers")
    today = programme_today()
    due = new_inquiry(w, last_name="Échéance", email="due@example.org", stage="contacted",
                      next_action_on=today, advisor_id=account_id(w, "staff_gers"))
    later = new_inquiry(w, last_name="Plustard", email="later@example.org",
                        next_action_on=today + dt.timedelta(days=9))
    by_due = w.client.get(f"{API}/gers/inquiries?due_by={today}&per_page=200",
                          headers=staff).json()
    ids = {i["id"] for i in by_due["items"]}
    assert due in ids and later not in ids
    assert all(dt.date.fromisoformat(i["next_action_on"]) <= today for i in by_due["items"])
    by_stage = w.client.get(f"{API}/gers/inquiries?stage=contacted&per_page=200",
                            headers=staff).json()
    assert due in {i["id"] for i in by_stage["items"]}
    assert {i["stage"] for i in by_stage["items"]} == {"contacted"}
    mine = w.client.get(f"{API}/gers/inquiries?advisor_id={account_id(w, 'staff_gers')}",
                        headers=staff).json()
    assert [i["id"] for i in mine["items"]] == [due]
    unassigned = w.client.get(f"{API}/gers/inquiries?unassigned=true&per_page=200",
                              headers=staff).json()
    assert later in {i["id"] for i in unassigned["items"]} and due not in {
        i["id"] for i in unassigned["items"]}
    page = w.client.get(f"{API}/gers/inquiries?per_page=5&page=2", headers=staff).json()
    assert page["total"] > 10 and len(page["items"]) == 5 and page["page"] == 2
    found = w.client.post(f"{API}/gers/inquiries/search", headers=staff,
                          json={"email": "LATER@example.org"}).json()
    assert [i["id"] for i in found["items"]] == [later]
    by_name = w.client.post(f"{API}/gers/inquiries/search", headers=staff,
                            json={"name": "CHÉANCE".lower()}).json()
    assert due in {i["id"] for i in by_name["items"]}
    assert w.client.post(f"{API}/gers/inquiries/search", headers=staff,
                         json={"phone": "1"}).status_code == 422


def test_conversion_keeps_the_whole_history(w: World) -> None:
    staff = w.headers("staff_gers")
    inquiry = new_inquiry(w, phone="06 00 00 00 01", origin_area="Île-de-France",
                          consent_purpose="Suivi de la demande")
    url = f"{API}/gers/inquiries/{inquiry}"
    w.client.post(f"{url}/interactions", headers=staff,
                  json={"kind": "call", "summary": "Premier appel",
                        "on": (programme_today() - dt.timedelta(days=3)).isoformat()})
    w.client.patch(url, headers=staff, json={"version": 1, "stage": "contacted"})
    future = w.client.post(f"{url}/interactions", headers=staff, json={
        "kind": "visit", "summary": "x",
        "on": (programme_today() + dt.timedelta(days=1)).isoformat()})
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "on"
    converted = w.client.post(f"{url}/convert", headers=staff, json={})
    assert converted.status_code == 201, converted.text
    member_id = converted.json()["member_id"]
    record = w.client.get(f"{API}/gers/members/{member_id}", headers=staff).json()
    assert (record["first_name"], record["last_name"], record["email"], record["phone"],
            record["sector"], record["origin_area"], record["status"]) == (
        "Léa", "Testeuse", "lea.testeuse@example.org", "06 00 00 00 01",
        "it_internet_ecommerce", "Île-de-France", "settling")
    again = w.client.post(f"{url}/convert", headers=staff, json={})
    assert again.status_code == 409 and again.json()["member_id"] == member_id
    after = w.client.post(f"{url}/interactions", headers=staff,
                          json={"kind": "meeting", "summary": "Rendez-vous CCI"})
    assert after.status_code == 201 and after.json()["member_id"] == member_id
    timeline = w.client.get(f"{API}/gers/members/{member_id}/timeline", headers=staff).json()
    kinds = [entry["kind"] for entry in timeline]
    assert kinds[:4] == ["call", "stage", "conversion", "note"]
    assert kinds[-1] == "meeting"
    assert [e["summary"] for e in timeline if e["kind"] == "call"] == ["Premier appel"]
    detail = w.client.get(url, headers=staff).json()
    assert detail["member_id"] == member_id and detail["converted_at"]
    assert [e["id"] for e in detail["timeline"]] == [e["id"] for e in timeline]
    with Session(w.instance.engine) as session:
        rows = session.exec(select(Interaction).where(Interaction.inquiry_id == inquiry)).all()
        assert rows and all(row.member_id == member_id for row in rows)
    other = w.client.get(f"{API}/gers/members/{w.gers_member}/timeline", headers=staff)
    assert other.status_code == 200
    assert w.client.get(f"{API}/orne/members/{member_id}/timeline",
                        headers=w.headers("staff_orne")).status_code == 404


def test_conversion_needs_a_sector_and_follows_the_stage(w: World) -> None:
    staff = w.headers("staff_gers")
    inquiry = new_inquiry(w, sector_slug=None, stage="settled")
    url = f"{API}/gers/inquiries/{inquiry}/convert"
    missing = w.client.post(url, headers=staff, json={})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "sector"
    unknown = w.client.post(url, headers=staff, json={"sector": "piracy"})
    assert unknown.status_code == 422
    done = w.client.post(url, headers=staff, json={"sector": "health_wellbeing",
                                                   "origin_country": "BE"})
    assert done.status_code == 201
    record = w.client.get(f"{API}/gers/members/{done.json()['member_id']}",
                          headers=staff).json()
    assert (record["sector"], record["status"], record["origin_country"]) == (
        "health_wellbeing", "settled", "BE")


def test_reads_and_changes_are_audited(w: World) -> None:
    staff = w.headers("staff_gers")
    inquiry = new_inquiry(w)
    url = f"{API}/gers/inquiries/{inquiry}"
    w.client.get(f"{API}/gers/inquiries", headers=staff)
    w.client.post(f"{API}/gers/inquiries/search", headers=staff, json={"name": "Testeuse"})
    w.client.get(url, headers=staff)
    w.client.patch(url, headers=staff, json={"version": 1, "stage": "contacted"})
    w.client.post(f"{url}/interactions", headers=staff, json={"kind": "note", "summary": "x"})
    member_id = w.client.post(f"{url}/convert", headers=staff, json={}).json()["member_id"]
    w.client.get(f"{API}/gers/members/{member_id}/timeline", headers=staff)
    w.client.get(url, headers=w.headers("staff_orne"))
    with Session(w.instance.engine) as session:
        events = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    seen = [(e.actor_email, e.action, e.target) for e in events]
    target = f"inquiry:{inquiry}"
    gers = EMAILS["staff_gers"]
    for expected in [(gers, "list", "inquiries"), (gers, "read", target),
                     (gers, "update", target), (gers, "interaction", target),
                     (gers, "convert", target), (gers, "read", f"member:{member_id}")]:
        assert expected in seen, expected
    assert sum(1 for e in seen if e[:2] == (gers, "list")) >= 2
    update = next(e for e in events if e.action == "update" and e.target == target)
    assert update.detail["fields"] == ["stage"]
    assert (EMAILS["staff_orne"], "forbidden") in {(e.actor_email, e.action) for e in events}


def test_eligibility_verdict_is_the_simulators(w: World) -> None:
    staff = w.headers("staff_gers")
    inquiry = new_inquiry(w, status="founder", origin_department="92", profile=PROFILE)
    verdict = w.client.get(f"{API}/gers/inquiries/{inquiry}", headers=staff).json()[
        "eligibility"]
    profile = {**PROFILE, "status": "founder", "sector": "it_internet_ecommerce",
               "origin_department": "92"}
    simulated = w.client.post("/api/v1/simulator", json={"profile": profile,
                                                         "regions": ["gers"]})
    assert simulated.status_code == 200, simulated.text
    [region] = simulated.json()["regions"]
    assert verdict["profile"] == simulated.json()["profile"]
    assert verdict["incentives"] == region["incentives"]
    assert verdict["yearly_total_eur"] == region["yearly_total_eur"] > 0
    assert verdict["failed_plugins"] == [] and verdict["ignored_fields"] == []
    assert verdict["eligible_count"] == sum(1 for i in region["incentives"] if i["eligible"])
    first = verdict["incentives"][0]
    assert {"eligible", "reasons", "yearly_value_eur", "source", "plugin"} <= set(first)


def test_invalid_profile_fields_are_left_out_and_named(w: World) -> None:
    staff = w.headers("staff_gers")
    inquiry = new_inquiry(w, status="astronaut", profile={
        "household_size": 40, "commute_minutes_one_way": 30, "favourite_colour": "blue"})
    verdict = w.client.get(f"{API}/gers/inquiries/{inquiry}", headers=staff).json()[
        "eligibility"]
    assert verdict["ignored_fields"] == ["favourite_colour", "household_size", "status"]
    assert verdict["profile"]["commute_minutes_one_way"] == 30
    assert verdict["incentives"]


def test_members_found_by_the_demo_have_inquiries(w: World) -> None:
    staff = w.headers("staff_gers")
    listed = w.client.get(f"{API}/gers/inquiries?stage=settled", headers=staff).json()
    assert listed["total"] >= 1 and all(i["member_id"] for i in listed["items"])
    member_id = listed["items"][0]["member_id"]
    timeline = w.client.get(f"{API}/gers/members/{member_id}/timeline", headers=staff).json()
    assert "conversion" in {e["kind"] for e in timeline}
    with Session(w.instance.engine) as session:
        member = session.get(Member, member_id)
        assert member and member.synthetic


def test_erasing_a_member_erases_the_history_linked_to_them(w: World) -> None:
    staff = w.headers("staff_gers")
    inquiry = new_inquiry(w, phone="06 11 22 33 44", message="Je viens avec ma famille.",
                          profile=PROFILE)
    url = f"{API}/gers/inquiries/{inquiry}"
    w.client.post(f"{url}/interactions", headers=staff,
                  json={"kind": "call", "summary": "Parle de sa fille Zoé"})
    w.client.patch(url, headers=staff, json={"version": 1, "stage": "contacted"})
    member_id = w.client.post(f"{url}/convert", headers=staff, json={}).json()["member_id"]
    assert w.client.post(f"{API}/gers/members/{member_id}/erase",
                         headers=staff).status_code == 200
    detail = w.client.get(url, headers=staff).json()
    assert detail["erased"] and detail["first_name"] == "—" and detail["email"] is None
    assert detail["phone"] is None and detail["message"] is None and detail["profile"] == {}
    assert detail["stage"] == "contacted"
    timeline = w.client.get(f"{API}/gers/members/{member_id}/timeline", headers=staff).json()
    assert [e["kind"] for e in timeline][:3] == ["call", "stage", "conversion"]
    assert "Zoé" not in str(timeline) and "Testeuse" not in str(timeline)
    assert [e["detail"] for e in timeline if e["kind"] == "stage"] == [
        {"from": "new", "to": "contacted"}]
    refused = w.client.patch(url, headers=staff, json={"version": detail["version"],
                                                       "stage": "settled"})
    assert refused.status_code == 409
