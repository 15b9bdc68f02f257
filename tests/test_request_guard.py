"""What a request may bring (campagne.web.request_guard): bodies capped before they are read,
text holding NUL, another control character or a lone surrogate refused wherever it is, and
the odd values that used to end in a server error (non-ASCII tokens, Unicode digits, an
unknown sector) answered with a 4xx and a message, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matrix_inquiries
import matrix_meetups
import matrix_spaces
import pytest
from accounts_kit import World, world
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from campagne.app import create_app
from campagne.models import Member
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit

INQUIRY = {"first_name": "Camille", "last_name": "Martin", "email": "camille@example.org",
           "origin_department": "75", "sector": "it_internet_ecommerce",
           "status": "independent", "timing": "within_a_year", "consent": True}
MEGABYTE = 1_048_576


@pytest.fixture
def w(tmp_path: Path, database_url: str) -> Iterator[World]:
    """The reference regions with accounts, on each backend."""
    with world(tmp_path, database_url) as built:
        built.client.headers["accept-language"] = "en"  # messages checked in English
        yield built


def form_token(client: TestClient, page: str = "/account/sign-in") -> str:
    """The CSRF token of a form (the double-submit cookie is kept by the client)."""
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(page).text)
    assert found
    return found.group(1)


def staff_session(w: World) -> tuple[TestClient, str]:
    """A client signed in as the administrator, and its session's form token."""
    client = TestClient(w.client.app, raise_server_exceptions=False, follow_redirects=False,
                        headers={"accept-language": "en"})
    signed = client.post("/account/sign-in", data={
        "csrf": form_token(client), "email": "admin@example.org",
        "password": "correct horse battery staple"})
    assert signed.status_code == 303
    return client, form_token(client, "/account/")


def anonymous(w: World) -> TestClient:
    """A fresh anonymous client that does not follow redirects."""
    return TestClient(w.client.app, raise_server_exceptions=False, follow_redirects=False,
                      headers={"accept-language": "en"})


# --- NUL and other control characters -------------------------------------------------------

def test_nul_in_the_sign_in_and_reset_forms_is_refused(w: World) -> None:
    client = anonymous(w)
    token = form_token(client)
    for path, form in (("/account/sign-in", {"email": "a\x00@example.org", "password": "x"}),
                       ("/account/reset", {"email": "admin@example.org\x00"}),
                       ("/account/sign-in", {"email": "admin@example.org", "password": "a\x00"})):
        response = client.post(path, data={"csrf": token, **form})
        assert response.status_code == 422, (path, response.text)
        assert "not allowed" in response.text  # the error page names the problem


def test_nul_in_the_inquiry_form_and_api_is_refused(w: World) -> None:
    client = anonymous(w)
    token = form_token(client, "/gers/apply")
    page = client.post("/gers/apply", data={
        "csrf": token, **{k: str(v) for k, v in INQUIRY.items()}, "consent": "on",
        "message": "Bonjour\x00"})
    assert page.status_code == 422
    assert "message" in page.text
    api = client.post("/api/v1/regions/gers/inquiries",
                      json={**INQUIRY, "message": "Bonjour\x00"})
    assert api.status_code == 422
    assert api.json()["detail"] == "The field 'message' holds a character that is not " \
                                   "allowed (a control character such as NUL, or a lone surrogate)."
    hidden = client.post("/api/v1/regions/gers/inquiries",
                         json={**INQUIRY, "answers": {"a\x00": "b"}})
    assert hidden.status_code == 422
    assert "'a\\x00'" in hidden.json()["detail"]  # the name shown escaped


def test_nul_in_searches_is_refused(w: World) -> None:
    headers = w.headers("admin")
    for response in (
            w.client.post("/api/v1/regions/gers/members/search", json={"name": "a\x00"},
                          headers=headers),
            w.client.post("/api/v1/regions/gers/inquiries/search", json={"name": "a\x00"},
                          headers=headers),
            w.client.get("/api/v1/regions/gers/members?sector=%00", headers=headers),
            w.client.get("/api/v1/admin/audit?action=read%1b", headers=headers)):
        assert response.status_code == 422, response.text
        assert "not allowed" in response.json()["detail"]
    client, token = staff_session(w)
    page = client.post("/gers/staff/members", data={"csrf": token, "name": "Mar\x00tin"})
    assert page.status_code == 422


def test_tabs_and_line_breaks_are_kept(w: World) -> None:
    client, token = staff_session(w)
    response = client.post("/gers/staff/inquiries", data={
        "csrf": token, "name": "Inès\tMartin", "email": "ines@example.org"})
    assert response.status_code < 400, response.text
    api = w.client.post("/api/v1/regions/gers/inquiries",
                        json={**INQUIRY, "message": "Bonjour,\r\n\tà bientôt 😀"})
    assert api.status_code == 201, api.text


@pytest.mark.parametrize("text", ["\\ud800", "x\\udfff", "\\udc00\\ud800"])
def test_lone_surrogates_in_json_are_refused(w: World, text: str) -> None:
    body = json.dumps(INQUIRY)[:-1] + f', "message": "{text}"}}'
    response = w.client.post("/api/v1/regions/gers/inquiries", content=body,
                             headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    me = w.client.patch("/api/v1/me", content=f'{{"version": 1, "commune": "{text}"}}',
                        headers={**w.headers("member"), "content-type": "application/json"})
    assert me.status_code == 422, me.text


def test_a_surrogate_pair_is_one_character_and_kept(w: World) -> None:
    body = json.dumps(INQUIRY)[:-1] + ', "message": "\\ud83d\\ude00"}'
    response = w.client.post("/api/v1/regions/gers/inquiries", content=body,
                             headers={"content-type": "application/json"})
    assert response.status_code == 201, response.text


def test_multipart_fields_and_file_names_are_checked_file_contents_are_not(w: World) -> None:
    client, token = staff_session(w)
    csv = b"first_name,last_name\nA,B\n"
    sent = client.post("/account/sign-in", files={"email": (None, "a\x00b")},
                       data={"csrf": token})
    assert sent.status_code == 422
    raw = (f'--b\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{token}\r\n'
           '--b\r\nContent-Disposition: form-data; name="kind"\r\n\r\nmembers\r\n'
           '--b\r\nContent-Disposition: form-data; name="file"; filename="m\x00.csv"\r\n'
           '\r\n').encode() + csv + b"\r\n--b--\r\n"  # httpx would escape the NUL
    named = client.post("/gers/staff/import", content=raw,
                        headers={"content-type": "multipart/form-data; boundary=b"})
    assert named.status_code == 422
    assert "not allowed" in named.text
    binary = client.post("/gers/staff/import", data={"csrf": token, "kind": "members"},
                         files={"file": ("m.csv", csv + b"\x00\x01")})
    assert binary.status_code != 422 or "not allowed" not in binary.text


# --- Tokens and numbers written in other scripts ---------------------------------------------

@pytest.mark.parametrize("token", ["é", "²", "٣", "é" * 40])
def test_non_ascii_form_tokens_are_refused_with_403(w: World, token: str) -> None:
    client = anonymous(w)
    form_token(client)
    response = client.post("/account/sign-in", data={
        "csrf": token, "email": "admin@example.org", "password": "x"})
    assert response.status_code == 403
    cookie = f"campagne_csrf={token}".encode()  # a raw header: httpx would refuse the str
    response = anonymous(w).post("/account/sign-in", headers={"cookie": cookie}, data={
        "csrf": "abc", "email": "admin@example.org", "password": "x"})
    assert response.status_code == 403


@pytest.mark.parametrize("token", ["²", "٣.abc", "1².abc", "é.é", "12." + "é" * 40])
def test_non_ascii_cancellation_links_are_refused_with_400(w: World, token: str) -> None:
    client = anonymous(w)
    for path in ("/gers/meetups/cancel", "/gers/rencontres/annulation"):
        assert client.get(path, params={"token": token}).status_code == 400
        csrf = form_token(client)
        response = client.post(path, data={"csrf": csrf, "token": token})
        assert response.status_code == 400, response.text


@pytest.mark.parametrize("digits", ["²", "٣", "1²", "2147483648"])
def test_unicode_digits_in_numeric_fields_are_form_errors(w: World, digits: str) -> None:
    client, token = staff_session(w)
    member = w.gers_member
    edit = client.post(f"/gers/staff/members/{member}", data={"csrf": token, "version": digits})
    assert edit.status_code == 422
    milestone = client.post(f"/gers/staff/members/{member}/milestones", data={
        "csrf": token, "kind": "workspace_found", "reached_on": "2024-01-01",
        "advisor_id": digits})
    assert milestone.status_code == 303
    assert "followup=" in milestone.headers["location"]
    listing = client.get("/gers/staff/members", params={"page": digits})
    assert listing.status_code == 422
    invite = client.post("/admin/users", data={
        "csrf": token, "email": f"new-{len(digits)}@example.org", "role": "member",
        "member": digits})
    assert invite.status_code < 500


def test_unicode_digits_in_hand_read_numbers_are_not_server_errors(w: World) -> None:
    client, token = staff_session(w)
    with Session(w.instance.engine) as session:
        member = session.get(Member, w.gers_member)
        assert member is not None and member.region_id is not None
        rows = {**matrix_inquiries.samples(session, member.region_id, w.gers_member),
                **matrix_meetups.samples(session, member.region_id, w.gers_member),
                **matrix_spaces.samples(session, member.region_id, w.gers_member)}
        session.commit()
    event, space = rows["event_id"], rows["space_id"]
    for digits in ("²", "٣", "99999999999999999999"):
        sign_up = client.post(f"/gers/staff/meetups/{event}/registrations",
                              data={"csrf": token, "member_id": digits})
        attendance = client.post(f"/gers/staff/meetups/{event}/attendance",
                                 data={"csrf": token, "mark": f"{digits}:yes"})
        booking = client.post(f"/gers/staff/spaces/{space}/bookings", data={
            "csrf": token, "day": "2031-01-06", "slot": "day", "member_id": digits})
        advisor = client.post(f"/gers/staff/inquiries/{rows['inquiry_id']}",
                              data={"csrf": token, "version": "1", "advisor_id": digits})
        for response in (sign_up, attendance, booking, advisor):
            assert response.status_code < 500, response.text


# --- An unknown sector ----------------------------------------------------------------------

def test_an_unknown_sector_in_a_staff_patch_is_named(w: World) -> None:
    headers = w.headers("admin")
    url = f"/api/v1/regions/gers/members/{w.gers_member}"
    version = w.client.get(url, headers=headers).json()["version"]
    response = w.client.patch(url, json={"version": version, "sector": "astrology"},
                              headers=headers)
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["field"] == "body.sector"
    assert "unknown sector" in error["message"]
    fine = w.client.patch(url, json={"version": version, "sector": "health_wellbeing"},
                          headers=headers)
    assert fine.status_code == 200
    assert fine.json()["sector"] == "health_wellbeing"


# --- Inquiry answers ------------------------------------------------------------------------

def test_many_answers_are_refused_early_and_briefly(w: World) -> None:
    many = {f"q{n}": "x" for n in range(40_000)}  # within the body's limit
    response = w.client.post("/api/v1/regions/gers/inquiries", json={**INQUIRY, "answers": many})
    assert response.status_code == 422
    assert len(response.content) < 1000
    assert "at most 100 answers" in response.text
    long_keys = {"k" * 5000: "x"}
    response = w.client.post("/api/v1/regions/gers/inquiries",
                             json={**INQUIRY, "answers": long_keys})
    assert response.status_code == 422
    assert "k" * 50 not in response.text


def test_unknown_answers_are_named_a_few_only(w: World) -> None:
    unknown = {f"question_{n}": "x" for n in range(20)}
    response = w.client.post("/api/v1/regions/gers/inquiries",
                             json={**INQUIRY, "answers": unknown})
    assert response.status_code == 422
    messages = [e["message"] for e in response.json()["errors"]]
    assert len(messages) == 6
    assert messages[-1] == "15 more unknown questions"


# --- Body size ------------------------------------------------------------------------------

def run(app: FastAPI, method: str, path: str, headers: dict[str, str],
        chunks: Iterator[bytes]) -> tuple[int, bytes, int]:
    """Call the ASGI application directly: the status, the body answered, and how many
    chunks of the request's body it read."""
    read = 0
    answered: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal read
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.disconnect"}
        read += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        answered.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "root_path": "", "query_string": b"", "server": ("testserver", 80),
             "client": ("127.0.0.1", 5000),
             "headers": [(k.lower().encode(), v.encode())
                         for k, v in {"accept-language": "en", **headers}.items()]}
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    status = next((m["status"] for m in answered if m["type"] == "http.response.start"), 0)
    body = b"".join(m.get("body", b"") for m in answered if m["type"] == "http.response.body")
    return status, body, read


def endless(size: int = 65_536, total: int = 8 * MEGABYTE) -> Iterator[bytes]:
    """A body far larger than any limit (then the client leaves)."""
    for _ in range(total // size):
        yield b" " * size


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FastAPI]:
    """The application with its default limits (SQLite: nothing is stored)."""
    monkeypatch.delenv("CAMPAGNE_MAX_BODY_BYTES", raising=False)
    instance = RegionKit(tmp_path).instance(reference_region_paths())
    yield create_app(instance)
    instance.engine.dispose()


def test_a_body_announced_too_large_is_refused_unread(app: FastAPI) -> None:
    status, body, read = run(app, "POST", "/api/v1/regions/gers/inquiries", {
        "content-type": "application/json", "content-length": str(50 * MEGABYTE)}, endless())
    assert (status, read) == (413, 0)
    assert json.loads(body)["detail"] == "The request is too large: at most 1 MB can be sent."


def test_a_chunked_body_is_counted_and_refused_once_over(app: FastAPI) -> None:
    for content_type in ("application/json", "application/x-www-form-urlencoded",
                         "multipart/form-data; boundary=x", "text/plain"):
        status, body, read = run(app, "POST", "/api/v1/regions/gers/inquiries", {
            "content-type": content_type, "transfer-encoding": "chunked"}, endless())
        assert status == 413, content_type
        assert read == MEGABYTE // 65_536 + 1  # not one chunk more
        assert b"too large" in body


def test_a_client_that_leaves_mid_body_is_not_served_half_of_it(app: FastAPI) -> None:
    half = json.dumps(INQUIRY)[:40].encode()
    for content_type in ("application/json", "application/x-www-form-urlencoded"):
        status, _, read = run(app, "POST", "/api/v1/regions/gers/inquiries", {
            "content-type": content_type, "transfer-encoding": "chunked"}, iter([half]))
        assert (status, read) == (0, 1)  # nothing answered, no route called


def test_pages_answer_a_large_body_with_the_error_page(app: FastAPI) -> None:
    status, body, read = run(app, "POST", "/account/sign-in", {
        "content-type": "application/x-www-form-urlencoded",
        "content-length": str(2 * MEGABYTE), "accept-language": "fr"}, endless())
    assert (status, read) == (413, 0)
    assert "La requête est trop volumineuse" in body.decode()


def test_the_import_page_takes_a_spreadsheet_up_to_its_own_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAGNE_MAX_UPLOAD_BYTES", str(3 * MEGABYTE))
    instance = RegionKit(tmp_path).instance(reference_region_paths())
    upload = create_app(instance)
    headers = {"content-type": "multipart/form-data; boundary=x"}
    status, _, _ = run(upload, "POST", "/gers/staff/import",
                       {**headers, "content-length": str(2 * MEGABYTE)}, iter([b"--x--"]))
    assert status != 413  # the page's own answer (not signed in: to the sign-in form)
    status, _, read = run(upload, "POST", "/gers/staff/import",
                          {**headers, "content-length": str(4 * MEGABYTE)}, endless())
    assert (status, read) == (413, 0)
    status, _, _ = run(upload, "POST", "/gers/staff/members",
                       {**headers, "content-length": str(2 * MEGABYTE)}, endless())
    assert status == 413  # other pages keep the general limit
    instance.engine.dispose()


def test_a_body_within_the_limit_reaches_the_route(w: World) -> None:
    big = {**INQUIRY, "message": "x" * 200_000}
    response = w.client.post("/api/v1/regions/gers/inquiries", json=big)
    assert response.status_code == 422  # too long for the field: read and answered
    assert "message" in response.text
