"""Member records through the API: sign-in, region isolation, edits, erasure, export."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts_kit import EMAILS, PASSWORD, World, world
from sqlmodel import Session, select

from campagne.auth.models import AuditEvent, Credential
from campagne.models import Member, Region


@pytest.fixture
def w(tmp_path: Path, database_url: str) -> Iterator[World]:
    with world(tmp_path, database_url) as built:
        yield built


def test_token_flow_and_region_isolation(w: World) -> None:
    staff = w.headers("staff_gers")
    assert w.client.get("/api/v1/regions/gers/members", headers=staff).status_code == 200
    assert w.client.get("/api/v1/regions/orne/members", headers=staff).status_code == 403
    assert w.client.get("/api/v1/regions/gers/members").status_code == 401
    assert w.client.get(f"/api/v1/regions/gers/members/{w.orne_member}",
                        headers=staff).status_code == 404
    assert w.client.get(f"/api/v1/regions/orne/members/{w.orne_member}",
                        headers=staff).status_code == 403


def test_tokens_are_stored_hashed_and_revocable(w: World) -> None:
    staff = w.headers("staff_gers")
    token = w.tokens["staff_gers"]
    with Session(w.instance.engine) as session:
        digests = [c.digest for c in session.exec(select(Credential))]
    assert token not in digests and all(len(d) == 64 for d in digests)
    assert w.client.post("/api/v1/auth/revoke", headers=staff).status_code == 204
    assert w.client.get("/api/v1/regions/gers/members", headers=staff).status_code == 401


def test_wrong_password_then_slow_down(w: World) -> None:
    for _ in range(5):
        response = w.client.post("/api/v1/auth/token", data={
            "username": EMAILS["staff_orne"], "password": "not the password"})
        assert response.status_code == 401
    response = w.client.post("/api/v1/auth/token", data={
        "username": EMAILS["staff_orne"], "password": PASSWORD})
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_search_pagination_and_filters(w: World) -> None:
    staff = w.headers("staff_gers")
    first = w.client.get("/api/v1/regions/gers/members?per_page=5", headers=staff).json()
    assert first["total"] > 5 and len(first["items"]) == 5
    name = first["items"][0]["last_name"]
    found = w.client.post("/api/v1/regions/gers/members/search", headers=staff,
                          json={"name": name.lower()}).json()
    assert any(item["last_name"] == name for item in found["items"])
    assert all(item["region"] == "gers" for item in found["items"])
    sector = first["items"][0]["sector"]
    by_sector = w.client.get(f"/api/v1/regions/gers/members?sector={sector}",
                             headers=staff).json()
    assert {item["sector"] for item in by_sector["items"]} == {sector}


def test_a_search_takes_quotes_wildcards_and_whole_names_literally(w: World) -> None:
    staff = w.headers("staff_gers")
    with Session(w.instance.engine) as session:
        gers = session.exec(select(Region.id).where(Region.slug == "gers")).one()
        for first, last, business, commune in (
                ("Anne", "O'Brien", "L'Atelier 100%", "L'Isle-Jourdain"),
                ("Jean", "Du_Pont", None, "Auch"), ("Jean", "DuXPont", None, "Auch"),
                ("Zoé", "Back\\slash", None, "Condom")):
            session.add(Member(region_id=gers, first_name=first, last_name=last,
                               business_name=business, commune=commune,
                               sector_slug="it_internet_ecommerce"))
        session.commit()

    def names(criteria: dict[str, str]) -> set[str]:
        answer = w.client.post("/api/v1/regions/gers/members/search", headers=staff,
                               json=criteria)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert page["total"] == len(page["items"])
        return {item["last_name"] for item in page["items"]}

    assert names({"name": "o'brien"}) == {"O'Brien"}
    assert names({"name": "anne o'b"}) == {"O'Brien"}  # first and last name together
    assert names({"name": "100%"}) == {"O'Brien"}  # the business name, % as itself
    assert names({"name": "du_pont"}) == {"Du_Pont"}  # _ as itself, not any character
    assert names({"name": "%"}) == {"O'Brien"}
    assert names({"name": "back\\slash"}) == {"Back\\slash"}
    assert names({"name": "'; drop table member; --"}) == set()
    assert "O'Brien" in names({"commune": "l'isle-jourdain"})  # demo members live there too


def test_the_next_page_below_the_last_id_read(w: World) -> None:
    staff = w.headers("staff_gers")
    url = "/api/v1/regions/gers/members"
    whole = w.client.get(url, headers=staff, params={"per_page": 12}).json()
    first = w.client.get(url, headers=staff, params={"per_page": 6}).json()
    ids = [item["id"] for item in first["items"]]
    after = w.client.get(url, headers=staff, params={"per_page": 6, "before": ids[-1]}).json()
    assert ids + [item["id"] for item in after["items"]] == [
        item["id"] for item in whole["items"]]
    assert after["total"] == whole["total"]  # every record that matches, still
    searched = w.client.post(f"{url}/search", headers=staff, json={
        "per_page": 6, "before": ids[-1]}).json()
    assert searched["items"] == after["items"]
    assert w.client.get(url, headers=staff, params={"before": 0}).status_code == 422


def test_concurrent_edits_answer_409(w: World) -> None:
    staff = w.headers("staff_gers")
    url = f"/api/v1/regions/gers/members/{w.gers_member}"
    version = w.client.get(url, headers=staff).json()["version"]
    first = w.client.patch(url, headers=staff, json={"version": version, "phone": "0102030405"})
    assert first.status_code == 200 and first.json()["version"] == version + 1
    second = w.client.patch(url, headers=staff, json={"version": version, "phone": "0600000000"})
    assert second.status_code == 409
    assert w.client.get(url, headers=staff).json()["phone"] == "0102030405"


@pytest.mark.parametrize("field", ["id", "region", "region_id", "role", "erased_at"])
def test_no_mass_assignment(w: World, field: str) -> None:
    staff = w.headers("staff_gers")
    url = f"/api/v1/regions/gers/members/{w.gers_member}"
    version = w.client.get(url, headers=staff).json()["version"]
    response = w.client.patch(url, headers=staff, json={"version": version, field: 99})
    assert response.status_code == 422
    me = w.client.patch("/api/v1/me", headers=w.headers("member"),
                        json={"version": version, field: 99})
    assert me.status_code == 422


def test_read_only_staff_cannot_change(w: World) -> None:
    reader = w.headers("reader_gers")
    url = f"/api/v1/regions/gers/members/{w.gers_member}"
    assert w.client.get(url, headers=reader).status_code == 200
    assert w.client.patch(url, headers=reader, json={"version": 1}).status_code == 403
    assert w.client.post(f"{url}/erase", headers=reader).status_code == 403


def test_erasure_keeps_the_figures_and_removes_the_name(w: World) -> None:
    staff = w.headers("staff_gers")
    before = w.client.get("/api/v1/regions/gers").json()["key_figures"]
    record = w.client.get(f"/api/v1/regions/gers/members/{w.gers_member}", headers=staff).json()
    erased = w.client.post(f"/api/v1/regions/gers/members/{w.gers_member}/erase", headers=staff)
    assert erased.status_code == 200
    assert w.client.get("/api/v1/regions/gers").json()["key_figures"] == before
    body = erased.json()
    assert body["erased"] and body["email"] is None
    assert record["last_name"] not in (body["first_name"], body["last_name"])
    found = w.client.post("/api/v1/regions/gers/members/search", headers=staff,
                          json={"name": record["last_name"]}).json()
    assert w.gers_member not in [item["id"] for item in found["items"]]


def test_member_sees_corrects_and_exports_only_themself(w: World) -> None:
    member = w.headers("member")
    me = w.client.get("/api/v1/me", headers=member).json()
    assert me["id"] == w.gers_member
    fixed = w.client.patch("/api/v1/me", headers=member,
                           json={"version": me["version"], "commune": "Auch"})
    assert fixed.status_code == 200 and fixed.json()["commune"] == "Auch"
    export = w.client.get("/api/v1/me/export", headers=member)
    assert export.status_code == 200
    assert "attachment" in export.headers["content-disposition"]
    data = export.json()
    assert data["record"]["id"] == w.gers_member and data["account"]["email"] == EMAILS["member"]
    assert w.client.get("/api/v1/regions/gers/members", headers=member).status_code == 403
    assert w.client.post("/api/v1/me/erasure-request", headers=member).status_code == 202


def test_audit_trail_records_reads_changes_exports(w: World) -> None:
    staff = w.headers("staff_gers")
    w.client.get(f"/api/v1/regions/gers/members/{w.gers_member}", headers=staff)
    w.client.get("/api/v1/regions/gers/members/export/json", headers=staff)
    w.client.get("/api/v1/me/export", headers=w.headers("member"))
    with Session(w.instance.engine) as session:
        events = session.exec(select(AuditEvent)).all()
    actions = {(e.actor_email, e.action, e.target) for e in events}
    assert (EMAILS["staff_gers"], "read", f"member:{w.gers_member}") in actions
    assert (EMAILS["staff_gers"], "export", "members") in actions
    assert (EMAILS["member"], "export", f"member:{w.gers_member}") in actions
    assert all(e.address for e in events)
    admin = w.headers("admin")
    listed = w.client.get("/api/v1/admin/audit?action=read&region=gers", headers=admin).json()
    assert listed and {e["action"] for e in listed} == {"read"}
    assert w.client.get("/api/v1/admin/audit", headers=staff).status_code == 403


def test_required_fields_cannot_be_emptied(w: World) -> None:
    staff = w.headers("staff_gers")
    url = f"/api/v1/regions/gers/members/{w.gers_member}"
    version = w.client.get(url, headers=staff).json()["version"]
    for field in ("status", "last_name", "sector"):
        response = w.client.patch(url, headers=staff, json={"version": version, field: None})
        assert response.status_code == 422


def test_no_personal_data_in_api_error_or_public_output(w: World) -> None:
    staff = w.headers("staff_gers")
    record = w.client.get(f"/api/v1/regions/gers/members/{w.gers_member}", headers=staff).json()
    public = w.client.get("/api/v1/regions/gers").text + w.client.get("/openapi.json").text
    assert record["email"] not in public
    assert f'{record["first_name"]} {record["last_name"]}' not in public


def test_consents_recorded_with_purpose_and_date_then_withdrawn(w: World) -> None:
    staff = w.headers("staff_gers")
    url = f"/api/v1/regions/gers/members/{w.gers_member}/consents"
    given = w.client.post(url, headers=staff, json={"purpose": "keep_application"})
    assert given.status_code == 201 and given.json()["given_at"]
    assert w.client.post(url, headers=staff, json={"purpose": "Bad Purpose!"}).status_code == 422
    member = w.headers("member")
    consents = w.client.get("/api/v1/me/export", headers=member).json()["consents"]
    assert [(c["purpose"], c["withdrawn_at"]) for c in consents] == [("keep_application", None)]
    withdrawn = w.client.post("/api/v1/me/consents/keep_application/withdraw", headers=member)
    assert withdrawn.json() == {"withdrawn": 1}
    consents = w.client.get("/api/v1/me/export", headers=member).json()["consents"]
    assert consents[0]["withdrawn_at"] is not None


def test_prospects_and_declined_candidates_are_not_counted_as_members(w: World) -> None:
    staff = w.headers("staff_gers")
    before = w.client.get("/api/v1/regions/gers").json()["key_figures"]
    url = f"/api/v1/regions/gers/members/{w.gers_member}"
    record = w.client.get(url, headers=staff).json()
    assert record["status"] in ("settling", "settled")
    w.client.patch(url, headers=staff, json={"version": record["version"], "status": "declined"})
    after = w.client.get("/api/v1/regions/gers").json()["key_figures"]
    assert after["members_total"] == before["members_total"] - 1


def test_deep_pages_start_at_their_anchor_and_follow_changes(
        w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages read from their kept anchors are the pages an offset gives, after changes too."""
    from campagne.api import members
    staff = w.headers("staff_gers")
    url = "/api/v1/regions/gers/members"

    def ids(params: dict[str, object], anchored: bool) -> list[int]:
        monkeypatch.setattr(members, "ANCHORED_FROM_ROW", 0 if anchored else 10**9)
        pages, page = [], 1
        while items := w.client.get(url, headers=staff,
                                    params={**params, "per_page": 3, "page": page}
                                    ).json()["items"]:
            pages += [item["id"] for item in items]
            page += 1
        return pages

    def same_pages() -> list[int]:
        for params in ({}, {"status": "settled"}, {"sector": "it_internet_ecommerce"}):
            assert ids(params, anchored=True) == ids(params, anchored=False), params
        return ids({}, anchored=True)

    before = same_pages()
    assert len(before) > 6
    with Session(w.instance.engine) as session:
        region = session.exec(select(Region).where(Region.slug == "gers")).one()
        newest = Member(region_id=region.id, first_name="Nina", last_name="Neuve",
                        email="nina@example.org", commune="Auch",
                        sector_slug="it_internet_ecommerce", status="settled")
        session.add(newest)
        settled = ids({"status": "settled"}, anchored=True)
        moved = session.get(Member, settled[4])
        assert moved is not None
        moved.status = "left"
        session.commit()
        newest_id = newest.id
    assert same_pages() == [newest_id, *before]
    assert ids({"status": "settled"}, anchored=True) == [newest_id] + [
        i for i in settled if i != settled[4]]
