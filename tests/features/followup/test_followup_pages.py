"""The "Follow-up" section of a member's staff page: its forms (CSRF), notices, read-only
staff, and the member's own read-only view on the account page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts_kit import World, sign_in, world
from followup_kit import clear_followup


@pytest.fixture
def w(tmp_path: Path, database_url: str) -> Iterator[World]:
    with world(tmp_path, database_url) as built:
        clear_followup(built)
        built.client.follow_redirects = False
        built.client.headers["Accept-Language"] = "en"
        yield built


def _page(w: World) -> str:
    return f"/gers/staff/members/{w.gers_member}"


def test_staff_record_a_milestone_and_a_service(w: World) -> None:
    csrf = sign_in(w.client)
    page = w.client.get(_page(w))
    assert page.status_code == 200 and "no-store" in page.headers["cache-control"]
    assert 'id="follow-up"' in page.text and "Record a milestone" in page.text
    saved = w.client.post(f"{_page(w)}/milestones", data={
        "csrf": csrf, "kind": "workspace_found", "reached_on": "2024-05-06",
        "note": "Bureau à Fleurance"})
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{_page(w)}?followup=saved#follow-up"
    shown = w.client.get(_page(w) + "?followup=saved").text
    assert '<th scope="row">Workspace found</th>' in shown and "Bureau à Fleurance" in shown
    assert "The follow-up is saved." in shown
    again = w.client.post(f"{_page(w)}/milestones", data={
        "csrf": csrf, "kind": "workspace_found", "reached_on": "2024-05-07"})
    assert again.headers["location"].endswith("followup=duplicate#follow-up")
    assert "already recorded" in w.client.get(_page(w) + "?followup=duplicate").text
    for field, value, notice in (("service", "nope", "invalid-service"),
                                 ("used_on", "2999-01-01", "invalid-date"),
                                 ("advisor_id", "999999", "invalid-advisor")):
        form = {"csrf": csrf, "service": "coworking", "used_on": "2024-05-06", field: value}
        bad = w.client.post(f"{_page(w)}/services", data=form)
        assert bad.headers["location"].endswith(f"followup={notice}#follow-up"), field
    done = w.client.post(f"{_page(w)}/services", data={
        "csrf": csrf, "service": "coworking", "used_on": "2024-05-06"})
    assert done.headers["location"].endswith("followup=saved#follow-up")
    shown = w.client.get(_page(w)).text
    removal = re.search(rf'action="{_page(w)}/milestones/(\d+)/delete"', shown)
    assert removal, "a removal form per milestone"
    url = f"{_page(w)}/milestones/{removal.group(1)}/delete"
    asked = w.client.post(url, data={"csrf": csrf})  # first, a page asks
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in asked.text
    assert "Workspace found" in asked.text and f'action="{url}"' in asked.text
    assert '<th scope="row">Workspace found</th>' in w.client.get(_page(w)).text
    confirmed = {"csrf": csrf, "confirm": "yes"}
    assert w.client.post(url, data=confirmed).status_code == 303
    assert w.client.post(url, data=confirmed).status_code == 303, "a second click"
    assert w.client.post(url, data={"csrf": csrf}).status_code == 303, "gone: nothing to ask"
    assert '<th scope="row">Workspace found</th>' not in w.client.get(_page(w)).text


def test_forms_need_the_session_token(w: World) -> None:
    sign_in(w.client)
    answer = w.client.post(f"{_page(w)}/milestones", data={
        "csrf": "forged", "kind": "financing", "reached_on": "2024-01-01"})
    assert answer.status_code == 403


def test_read_only_staff_see_the_follow_up_without_forms(w: World) -> None:
    csrf = sign_in(w.client, "reader_gers")
    page = w.client.get(_page(w)).text
    assert 'id="follow-up"' in page and "Record a milestone" not in page
    refused = w.client.post(f"{_page(w)}/milestones", data={
        "csrf": csrf, "kind": "financing", "reached_on": "2024-01-01"})
    assert refused.status_code == 403


def test_other_region_staff_cannot_reach_the_forms(w: World) -> None:
    csrf = sign_in(w.client, "staff_orne")
    answer = w.client.post(f"{_page(w)}/services", data={
        "csrf": csrf, "service": "coworking", "used_on": "2024-01-01"})
    assert answer.status_code == 403
    own = sign_in(w.client, "staff_gers")
    wrong = w.client.post(f"/gers/staff/members/{w.orne_member}/services", data={
        "csrf": own, "service": "coworking", "used_on": "2024-01-01"})
    assert wrong.status_code == 404


def test_member_sees_own_follow_up_on_the_account_page(w: World) -> None:
    csrf = sign_in(w.client)
    w.client.post(f"{_page(w)}/milestones", data={
        "csrf": csrf, "kind": "business_plan", "reached_on": "2024-02-01"})
    sign_in(w.client, "member")
    page = w.client.get("/account/").text
    assert "My professional project" in page and "Business plan written" in page
    assert "Services I used" in page
    assert "Record a milestone" not in page and "/milestones" not in page
