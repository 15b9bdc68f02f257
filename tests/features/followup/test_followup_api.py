"""Follow-up of members' projects through the API: milestones and services delivered,
409 and 422, read-only staff, region isolation, audit trail, the member's own export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts_kit import EMAILS, World, world
from followup_kit import clear_followup
from sqlmodel import Session, col, select

from campagne.auth.models import AuditEvent, UserAccount
from campagne.features.followup.models import Milestone
from campagne.models import Member

TODAY = dt.date.today().isoformat()


@pytest.fixture
def w(tmp_path: Path, database_url: str) -> Iterator[World]:
    with world(tmp_path, database_url) as built:
        clear_followup(built)
        yield built


def _url(w: World, rest: str, member: int | None = None, slug: str = "gers") -> str:
    return f"/api/v1/regions/{slug}/members/{member or w.gers_member}/{rest}"


def _account_id(w: World, role: str) -> int:
    with Session(w.instance.engine) as session:
        account = session.exec(select(UserAccount).where(
            UserAccount.email == EMAILS[role])).one()
        assert account.id is not None
        return account.id


def test_milestones_201_409_patch_delete(w: World) -> None:
    staff = w.headers("staff_gers")
    body = {"kind": "business_plan", "reached_on": "2024-03-05", "note": "Plan relu"}
    created = w.client.post(_url(w, "milestones"), headers=staff, json=body)
    assert created.status_code == 201, created.text
    milestone = created.json()
    assert milestone["kind"] == "business_plan" and milestone["reached_on"] == "2024-03-05"
    assert milestone["advisor"] == EMAILS["staff_gers"], "the recording staff by default"
    again = w.client.post(_url(w, "milestones"), headers=staff, json=body)
    assert again.status_code == 409 and "already" in again.json()["detail"]
    other = w.client.post(_url(w, "milestones"), headers=staff,
                          json={"kind": "financing", "reached_on": "2024-06-01",
                                "advisor_id": None})
    assert other.status_code == 201 and other.json()["advisor"] is None

    one = _url(w, f"milestones/{milestone['id']}")
    changed = w.client.patch(one, headers=staff, json={"reached_on": "2024-03-04",
                                                       "note": None})
    assert changed.status_code == 200
    assert changed.json()["reached_on"] == "2024-03-04" and changed.json()["note"] is None
    assert changed.json()["kind"] == "business_plan"
    clash = w.client.patch(one, headers=staff, json={"kind": "financing"})
    assert clash.status_code == 409

    read = w.client.get(_url(w, "follow-up"), headers=staff).json()
    assert [m["kind"] for m in read["milestones"]] == ["business_plan", "financing"]
    assert w.client.delete(one, headers=staff).status_code == 204
    assert w.client.delete(one, headers=staff).status_code == 404
    read = w.client.get(_url(w, "follow-up"), headers=staff).json()
    assert [m["kind"] for m in read["milestones"]] == ["financing"]


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "moved_in", "reached_on": "2024-01-01"}, "body.kind"),
    ({"kind": "financing", "reached_on": "2999-01-01"}, "body.reached_on"),
    ({"kind": "financing", "reached_on": "hier"}, "body.reached_on"),
    ({"kind": "financing", "reached_on": "2024-01-01", "note": "x" * 501}, "body.note"),
    ({"kind": "financing", "reached_on": "2024-01-01", "member_id": 1}, "body.member_id"),
])
def test_milestone_bad_input_names_the_field(w: World, body: dict[str, object],
                                             field: str) -> None:
    answer = w.client.post(_url(w, "milestones"), headers=w.headers("staff_gers"), json=body)
    assert answer.status_code == 422
    assert field in [error["field"] for error in answer.json()["errors"]]


def test_services_must_come_from_the_region_catalogue(w: World) -> None:
    staff = w.headers("staff_gers")
    gers = {s["slug"]: s for s in w.client.get("/api/v1/regions/gers/services").json()}
    orne = [s["slug"] for s in w.client.get("/api/v1/regions/orne/services").json()
            if s["slug"] not in gers]
    for slug in ("no-such-service", orne[0]):
        answer = w.client.post(_url(w, "services"), headers=staff,
                               json={"service": slug, "used_on": TODAY})
        assert answer.status_code == 422, slug
        assert answer.json()["errors"][0]["field"] == "body.service"
    future = w.client.post(_url(w, "services"), headers=staff,
                           json={"service": "business-plan", "used_on": "2999-01-01"})
    assert future.status_code == 422
    assert future.json()["errors"][0]["field"] == "body.used_on"
    elsewhere = w.client.post(_url(w, "services"), headers=staff, json={
        "service": "business-plan", "used_on": TODAY,
        "advisor_id": _account_id(w, "staff_orne")})
    assert elsewhere.status_code == 422
    assert elsewhere.json()["errors"][0]["field"] == "body.advisor_id"
    reader = _account_id(w, "reader_gers")
    created = w.client.post(_url(w, "services"), headers=staff, json={
        "service": "business-plan", "used_on": "2025-02-03", "advisor_id": reader})
    assert created.status_code == 201, created.text
    use = created.json()
    assert use["service"] == "business-plan" and use["category"] == gers[
        "business-plan"]["category"]
    assert use["advisor_id"] == reader and use["advisor"] == EMAILS["reader_gers"]
    listed = w.client.get(_url(w, "follow-up"), headers=staff).json()["services"]
    assert listed[0]["id"] == use["id"], "the latest first"
    one = _url(w, f"services/{use['id']}")
    assert w.client.delete(one, headers=staff).status_code == 204
    assert w.client.delete(one, headers=staff).status_code == 404


def test_read_only_staff_and_other_regions(w: World) -> None:
    body = {"kind": "workspace_found", "reached_on": "2024-01-01"}
    reader, orne = w.headers("reader_gers"), w.headers("staff_orne")
    assert w.client.get(_url(w, "follow-up"), headers=reader).status_code == 200
    assert w.client.post(_url(w, "milestones"), headers=reader, json=body).status_code == 403
    assert w.client.post(_url(w, "services"), headers=reader, json={
        "service": "business-plan", "used_on": TODAY}).status_code == 403
    assert w.client.get(_url(w, "follow-up"), headers=orne).status_code == 403
    assert w.client.post(_url(w, "milestones"), headers=orne, json=body).status_code == 403
    staff = w.headers("staff_gers")
    assert w.client.get(_url(w, "follow-up", w.orne_member), headers=staff).status_code == 404
    assert w.client.post(_url(w, "milestones", w.orne_member), headers=staff,
                         json=body).status_code == 404
    # An Orne member's milestone cannot be reached through a Gers member's path.
    created = w.client.post(_url(w, "milestones", w.orne_member, "orne"), headers=orne,
                            json=body)
    assert created.status_code == 201
    foreign = f"milestones/{created.json()['id']}"
    assert w.client.patch(_url(w, foreign), headers=staff,
                          json={"note": "x"}).status_code == 404
    assert w.client.delete(_url(w, foreign), headers=staff).status_code == 404
    assert w.client.get(_url(w, "follow-up"), headers=w.headers("member")).status_code == 403
    assert w.client.get(_url(w, "follow-up")).status_code == 401


def test_every_read_and_change_is_audited(w: World) -> None:
    staff = w.headers("staff_gers")
    made = w.client.post(_url(w, "milestones"), headers=staff,
                         json={"kind": "financing", "reached_on": "2024-01-01"}).json()
    w.client.patch(_url(w, f"milestones/{made['id']}"), headers=staff, json={"note": "ok"})
    w.client.delete(_url(w, f"milestones/{made['id']}"), headers=staff)
    use = w.client.post(_url(w, "services"), headers=staff,
                        json={"service": "coworking", "used_on": TODAY}).json()
    w.client.delete(_url(w, f"services/{use['id']}"), headers=staff)
    w.client.get(_url(w, "follow-up"), headers=staff)
    w.client.post(_url(w, "milestones"), headers=w.headers("reader_gers"),
                  json={"kind": "financing", "reached_on": "2024-01-01"})
    with Session(w.instance.engine) as session:
        events = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    mine = [(e.action, e.target) for e in events if e.actor_email == EMAILS["staff_gers"]]
    target = f"member:{w.gers_member}"
    for action in ("milestone_added", "milestone_changed", "milestone_removed",
                   "service_recorded", "service_removed", "read"):
        assert (action, target) in mine, action
    refused = [e for e in events if e.actor_email == EMAILS["reader_gers"]]
    assert refused[-1].action == "forbidden"


def test_member_sees_own_follow_up_in_the_export(w: World) -> None:
    staff = w.headers("staff_gers")
    w.client.post(_url(w, "milestones"), headers=staff, json={
        "kind": "business_registered", "reached_on": "2023-09-12", "note": "SIRET reçu"})
    w.client.post(_url(w, "services"), headers=staff,
                  json={"service": "financement", "used_on": "2023-08-01"})
    export = w.client.get("/api/v1/me/export", headers=w.headers("member"))
    assert export.status_code == 200
    data = export.json()
    assert data["milestones"] == [{"kind": "business_registered", "reached_on": "2023-09-12",
                                   "note": "SIRET reçu"}]
    assert any(item["service"] == "financement" and item["used_on"] == "2023-08-01"
               for item in data["services_used"])


def test_erasure_forgets_notes_and_advisors_but_keeps_the_figures(w: World) -> None:
    staff = w.headers("staff_gers")
    w.client.post(_url(w, "milestones"), headers=staff, json={
        "kind": "financing", "reached_on": "2024-01-01", "note": "Prêt d'honneur obtenu"})
    w.client.post(_url(w, "services"), headers=staff,
                  json={"service": "coworking", "used_on": "2024-02-01"})
    assert w.client.post(_url(w, "erase"),
                         headers=staff).status_code == 200
    with Session(w.instance.engine) as session:
        milestone = session.exec(select(Milestone).where(
            Milestone.member_id == w.gers_member)).one()
        member = session.get(Member, w.gers_member)
    assert member is not None and member.erased_at is not None
    assert milestone.note is None and milestone.advisor_id is None
    assert milestone.kind == "financing" and milestone.reached_on == dt.date(2024, 1, 1)
    services = w.client.get(_url(w, "follow-up"), headers=staff).json()["services"]
    assert services and all(s["advisor"] is None for s in services)
