"""Sign-in on the pages: cookies, CSRF, session renewal and end, timeout, headers
(OWASP ASVS 5.0 chapters 3, 7, 8 and 16, level 2)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts_kit import CSRF, EMAILS, PASSWORD, World, sign_in, world
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from campagne.auth.models import Credential, CredentialKind
from campagne.testing import MINIMAL_REGION, RegionKit, minimal_region


@pytest.fixture
def w(tmp_path: Path) -> Iterator[World]:
    with world(tmp_path, base_url="https://testserver") as built:
        yield built


def test_session_cookie_flags_over_https(w: World) -> None:
    token = CSRF.search(w.client.get("/account/sign-in").text)
    assert token
    response = w.client.post("/account/sign-in", follow_redirects=False, data={
        "csrf": token.group(1), "email": EMAILS["staff_gers"], "password": PASSWORD})
    cookie = next(v for k, v in response.headers.multi_items()
                  if k == "set-cookie" and "campagne_session" in v)
    assert cookie.startswith("__Host-campagne_session=")
    for flag in ("HttpOnly", "Secure", "Path=/", "SameSite=lax"):
        assert flag.lower() in cookie.lower()
    assert "domain" not in cookie.lower()


def test_plain_http_demo_uses_unprefixed_cookie(tmp_path: Path) -> None:
    with world(tmp_path) as plain:
        sign_in(plain.client)
        assert "campagne_session" in plain.client.cookies
        assert plain.client.get("/account/").status_code == 200


def test_new_session_at_sign_in(w: World) -> None:
    sign_in(w.client)
    first = w.client.cookies.get("__Host-campagne_session")
    sign_in(w.client)
    second = w.client.cookies.get("__Host-campagne_session")
    assert first and second and first != second
    with Session(w.instance.engine) as session:
        live = [c for c in session.exec(select(Credential).where(
            Credential.kind == CredentialKind.SESSION.value)) if c.revoked_at is None]
    assert len(live) == 1


def test_sign_out_ends_the_session_on_the_server(w: World) -> None:
    csrf = sign_in(w.client)
    stolen = w.client.cookies.get("__Host-campagne_session")
    response = w.client.post("/account/sign-out", data={"csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert "cache" in response.headers["clear-site-data"]
    replay = TestClient(w.client.app, base_url="https://testserver", follow_redirects=False)
    replay.cookies.set("__Host-campagne_session", stolen or "")
    assert replay.get("/account/").status_code == 303


def _idle_for_31_minutes(w: World) -> None:
    """Move every credential's last use 31 minutes back (the idle timeout is 30)."""
    with Session(w.instance.engine) as session:
        for credential in session.exec(select(Credential)):
            credential.last_used_at -= dt.timedelta(minutes=31)
            session.add(credential)
        session.commit()


def test_inactivity_timeout(w: World) -> None:
    sign_in(w.client)
    _idle_for_31_minutes(w)
    response = w.client.get("/account/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/account/sign-in"


def test_forms_without_the_csrf_token_are_refused(w: World) -> None:
    sign_in(w.client)
    assert w.client.post("/account/sign-out", data={}).status_code == 403
    assert w.client.post("/account/sign-out", data={"csrf": "forged"}).status_code == 403
    bare = TestClient(w.client.app, base_url="https://testserver")
    assert bare.post("/account/sign-in", data={
        "email": EMAILS["admin"], "password": PASSWORD}).status_code == 403


def test_personal_pages_are_not_cached_and_have_security_headers(w: World) -> None:
    sign_in(w.client)
    for path in ("/account/", "/gers/staff/members"):
        response = w.client.get(path)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"]
        assert 'style="' not in response.text and "<script" not in response.text
        assert 'action="/account/sign-out"' in response.text  # ASVS 7.4.4


PUBLIC_PAGES = ("/", "/gers/", "/gers/services", "/gers/services/comite-accueil", "/simulateur",
                "/gers/privacy")


def test_public_pages_recognise_a_signed_in_visitor(w: World) -> None:
    """Signed in, the shared layout offers the account and the sign-out form on the public
    pages too (the region's home included), and such answers are not stored."""
    for path in PUBLIC_PAGES:
        anonymous = w.client.get(path)
        assert anonymous.status_code == 200, path
        assert 'href="/account/sign-in"' in anonymous.text, path
        assert "no-store" not in anonymous.headers.get("cache-control", ""), path
    csrf = sign_in(w.client)
    for path in PUBLIC_PAGES:
        page = w.client.get(path)
        assert page.status_code == 200, path
        assert 'href="/account/"' in page.text and 'action="/account/sign-out"' in page.text
        assert CSRF.search(page.text).group(1) == csrf, path  # type: ignore[union-attr]
        assert page.headers["cache-control"] == "no-store", path
    # The form of the region's home signs out for real.
    home = w.client.get("/gers/").text
    token = CSRF.search(home).group(1)  # type: ignore[union-attr]
    assert w.client.post("/account/sign-out", data={"csrf": token},
                         follow_redirects=False).status_code == 303
    after = w.client.get("/gers/")
    assert 'href="/account/sign-in"' in after.text
    assert 'action="/account/sign-out"' not in after.text
    assert "no-store" not in after.headers.get("cache-control", "")


def test_an_expired_session_cookie_shows_the_public_pages_signed_out(w: World) -> None:
    sign_in(w.client)
    _idle_for_31_minutes(w)
    for path in ("/gers/", "/gers/services"):
        page = w.client.get(path)
        assert page.status_code == 200
        assert 'href="/account/sign-in"' in page.text and "sign-out" not in page.text


def test_member_search_terms_stay_out_of_urls(w: World) -> None:
    csrf = sign_in(w.client)
    listed = w.client.get("/gers/staff/members").text
    name = re.search(r'/gers/staff/members/\d+">\S+ ([^<]+)</a>', listed)
    assert name
    found = w.client.post("/gers/staff/members", data={"csrf": csrf, "name": name.group(1)})
    assert found.status_code == 200 and name.group(1) in found.text
    assert 'method="post" action="/gers/staff/members"' in listed
    assert '<option value="audit_consulting_training"' in listed


def test_page_edit_conflict_and_other_region(w: World) -> None:
    csrf = sign_in(w.client)
    page = w.client.get(f"/gers/staff/members/{w.gers_member}")
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version
    ok = w.client.post(f"/gers/staff/members/{w.gers_member}", follow_redirects=False,
                       data={"csrf": csrf, "version": version.group(1), "phone": "0102"})
    assert ok.status_code == 303 and "conflict" not in ok.headers["location"]
    stale = w.client.post(f"/gers/staff/members/{w.gers_member}", follow_redirects=False,
                          data={"csrf": csrf, "version": version.group(1), "phone": "0999"})
    assert "conflict=1" in stale.headers["location"]
    assert w.client.get(f"/orne/staff/members/{w.orne_member}").status_code == 403
    assert w.client.get(f"/gers/staff/members/{w.orne_member}").status_code == 404


def test_generic_error_pages(w: World) -> None:
    response = w.client.get("/api/v1/regions/gers/members/not-a-number",
                            headers=w.headers("staff_gers"))
    assert response.status_code == 422
    assert "Traceback" not in response.text
    page = w.client.get("/no/such/page/here")
    assert page.status_code == 404 and "Traceback" not in page.text


def test_member_space_download(w: World) -> None:
    sign_in(w.client, "member")
    home = w.client.get("/account/").text
    assert "/account/export" in home
    data = w.client.get("/account/export").json()
    assert data["record"]["id"] == w.gers_member


def test_privacy_notice_is_public_and_states_retention(w: World) -> None:
    response = TestClient(w.client.app).get("/gers/privacy?lang=en")
    assert response.status_code == 200
    assert "1095" in response.text and "91" in response.text and "730" in response.text
    assert "your name is kept until 92 days after the day booked" in response.text
    assert "e-mail address are kept until 92 days after the meetup" in response.text
    french = TestClient(w.client.app).get("/gers/privacy?lang=fr").text
    assert "votre nom est conservé jusqu’à 92 jours après le jour réservé" in french


def test_absolute_session_lifetime(w: World) -> None:
    sign_in(w.client)
    with Session(w.instance.engine) as session:
        for credential in session.exec(select(Credential)):
            credential.expires_at = credential.created_at - dt.timedelta(seconds=1)
            session.add(credential)
        session.commit()
    assert w.client.get("/account/", follow_redirects=False).status_code == 303


def test_deactivation_and_password_change_end_every_session(w: World) -> None:
    from campagne.auth.accounts import deactivate, find_account, set_password

    sign_in(w.client)
    api = w.headers("staff_gers")
    with Session(w.instance.engine) as session:
        user = find_account(session, EMAILS["staff_gers"])
        assert user
        set_password(session, w.instance.settings, user, "another long password")
    assert w.client.get("/account/", follow_redirects=False).status_code == 303
    assert w.client.get("/api/v1/regions/gers/members", headers=api).status_code == 401
    other = w.headers("staff_orne")
    with Session(w.instance.engine) as session:
        user = find_account(session, EMAILS["staff_orne"])
        assert user
        deactivate(session, user)
    assert w.client.get("/api/v1/regions/orne/members", headers=other).status_code == 401


def test_failed_sign_ins_and_refusals_are_audited(w: World) -> None:
    from campagne.auth.models import AuditEvent

    typed = "my own password typed in the wrong field " * 10
    for name in (typed, "Nobody@Example.org", " nobody@example.org", EMAILS["staff_orne"]):
        w.client.post("/api/v1/auth/token", data={"username": name,
                                                  "password": "wrong password"})
    w.client.get("/api/v1/regions/orne/members", headers=w.headers("staff_gers"))
    with Session(w.instance.engine) as session:
        rows = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    events = {(e.action, e.actor_email) for e in rows}
    failed = [e.actor_email or "" for e in rows if e.action == "sign_in_failed"]
    # Only an existing account's e-mail is kept; any other typed name as a keyed digest.
    assert failed[3] == EMAILS["staff_orne"]
    assert all(re.fullmatch(r"unknown account [0-9a-f]{12}", name) for name in failed[:3])
    assert failed[0] != failed[1] == failed[2]
    assert not any("password" in f"{e.actor_email} {e.detail} {e.target}" for e in rows)
    assert ("forbidden", EMAILS["staff_gers"]) in events
    assert ("sign_in", EMAILS["staff_gers"]) in events


def test_audit_trail_cannot_be_changed_through_the_app(w: World) -> None:
    from fastapi.routing import iter_route_contexts

    admin = w.headers("admin")
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        assert w.client.request(method, "/api/v1/admin/audit", headers=admin).status_code == 405
    audit_routes = [r for r in iter_route_contexts(w.client.app.routes)  # type: ignore[attr-defined]
                    if "audit" in str(r.path)]
    assert {m for r in audit_routes for m in (r.methods or set())} <= {"GET", "HEAD", "POST"}
    assert {str(r.path) for r in audit_routes if "POST" in (r.methods or set())} == {
        "/admin/audit"}  # the filter form, which only reads


def test_administrator_blocks_an_account_and_ends_its_sessions(w: World) -> None:
    victim = w.headers("staff_orne")
    csrf = sign_in(w.client, "admin")
    page = w.client.get("/admin/users").text
    found = re.search(r'action="/admin/users/(\d+)/block"', page)
    assert found
    ids = re.findall(r'action="/admin/users/(\d+)/block"', page)
    with Session(w.instance.engine) as session:
        from campagne.auth.accounts import find_account

        target = find_account(session, EMAILS["staff_orne"])
        assert target and str(target.id) in ids
    asked = w.client.post(f"/admin/users/{target.id}/block", data={"csrf": csrf})
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in asked.text
    assert f'action="/admin/users/{target.id}/block"' in asked.text
    assert w.client.get("/api/v1/regions/orne/members", headers=victim).status_code == 200
    blocked = w.client.post(f"/admin/users/{target.id}/block",
                            data={"csrf": csrf, "confirm": "yes"})
    assert blocked.status_code == 200
    assert w.client.get("/api/v1/regions/orne/members", headers=victim).status_code == 401


def test_search_results_page_on_without_putting_criteria_in_the_url(w: World) -> None:
    csrf = sign_in(w.client)
    first = w.client.post("/gers/staff/members", data={"csrf": csrf, "name": "a"})
    assert 'name="page" value="2"' in first.text and 'name="name" value="a"' in first.text
    second = w.client.post("/gers/staff/members", data={"csrf": csrf, "name": "a", "page": "2"})
    assert second.status_code == 200 and 'value="a"' in second.text


def test_staff_record_a_consent_on_the_page(w: World) -> None:
    csrf = sign_in(w.client)
    url = f"/gers/staff/members/{w.gers_member}"
    done = w.client.post(f"{url}/consents", data={"csrf": csrf, "purpose": "keep_application"},
                         follow_redirects=False)
    assert done.status_code == 303
    assert "Keep the application for two years" in w.client.get(f"{url}?lang=en").text
    bad = w.client.post(f"{url}/consents", data={"csrf": csrf, "purpose": "anything"})
    assert bad.status_code == 404


def test_hsts_over_https_only(w: World) -> None:
    hsts = w.client.get("/account/sign-in").headers["strict-transport-security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
    plain = TestClient(w.client.app, base_url="http://testserver")
    assert "strict-transport-security" not in plain.get("/account/sign-in").headers


def test_member_withdraws_a_consent_on_the_page(w: World) -> None:
    w.client.post(f"/api/v1/regions/gers/members/{w.gers_member}/consents",
                  headers=w.headers("staff_gers"), json={"purpose": "keep_application"})
    csrf = sign_in(w.client, "member")
    home = w.client.get("/account/?lang=en").text
    assert "Keep the application for two years" in home and "Withdraw" in home
    done = w.client.post("/account/consents/withdraw", follow_redirects=False,
                         data={"csrf": csrf, "purpose": "keep_application"})
    assert done.status_code == 303
    assert "withdrawn on" in w.client.get("/account/?lang=en").text


def test_administrator_changes_an_accounts_regions_on_the_page(w: World) -> None:
    with Session(w.instance.engine) as session:
        from campagne.auth.accounts import find_account

        target = find_account(session, EMAILS["staff_orne"])
        assert target
        target_id = target.id
    victim = w.headers("staff_orne")
    csrf = sign_in(w.client, "admin")
    page = w.client.get("/admin/users").text
    assert f'action="/admin/users/{target_id}/access"' in page
    changed = w.client.post(f"/admin/users/{target_id}/access", data={
        "csrf": csrf, "role": "staff", "region": ["gers", "orne"]})
    assert changed.status_code == 200
    assert "sessions were ended" in changed.text or "sessions du compte" in changed.text
    assert w.client.get("/api/v1/regions/orne/members", headers=victim).status_code == 401
    token = w.client.post("/api/v1/auth/token", data={
        "username": EMAILS["staff_orne"], "password": PASSWORD}).json()["access_token"]
    fresh = {"Authorization": f"Bearer {token}"}
    assert w.client.get("/api/v1/regions/gers/members", headers=fresh).status_code == 200
    emptied = w.client.post(f"/admin/users/{target_id}/access", data={
        "csrf": csrf, "role": "staff"})
    assert emptied.status_code == 200 and 'role="alert"' in emptied.text
    assert w.client.get("/api/v1/regions/gers/members", headers=fresh).status_code == 200
    missing_token = w.client.post(f"/admin/users/{target_id}/access", data={
        "role": "admin"})
    assert missing_token.status_code == 403


def test_privacy_notice_names_the_controller_and_its_address(kit: RegionKit) -> None:
    programme = {**MINIMAL_REGION["programme"],
                 "contact": {"email": "dpo@cci-lot.example.org"}}
    folder = kit.region("lot", config=minimal_region("lot", programme=programme))
    with kit.client([folder]) as client:
        page = client.get("/lot/privacy?lang=fr").text
    assert "CCI d&#39;essai" in page or "CCI d'essai" in page
    assert 'href="mailto:dpo@cci-lot.example.org"' in page
