"""The authorization matrix: every route of the application (read from ``app.routes``, so a
new route cannot be forgotten) against every kind of caller, with the status expected.

A route is protected when its router declares the sign-in marker (``SIGNED_IN`` for the API,
``SIGNED_IN_PAGE`` for pages); then it must appear in ``PROTECTED`` below. Any other route is
public: a GET succeeds for every caller, other methods never answer 401/403 or a server
error (unless listed in ``PUBLIC_EXPECTED``), and no body contains a person's name or e-mail
address."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

from accounts_kit import EMAILS, PASSWORD, ROLES, World, world
from fastapi.testclient import TestClient
from matrix_kit import AREAS, BODIES, app_routes, fill
from sqlmodel import Session, select

from campagne.auth.accounts import create_account
from campagne.auth.models import Role
from campagne.models import Member
from campagne.outbox.queue import queue_mail

A, M, SG, RG, SO, AD = ROLES  # anonymous, member, staff/reader of Gers, staff of Orne, admin
STAFF_READ = {A: 401, M: 403, SG: 200, RG: 200, SO: 403, AD: 200}
PAGE_STAFF_READ = {**STAFF_READ, A: 303}


def only(role: str, ok: int, other: int = 403, anonymous: int = 401) -> dict[str, int]:
    """``ok`` for ``role``, ``other`` for the rest of the signed-in callers."""
    return {r: anonymous if r == A else ok if r == role else other for r in ROLES}


def signed_in(ok: int, anonymous: int = 401) -> dict[str, int]:
    """``ok`` for anyone signed in."""
    return {r: anonymous if r == A else ok for r in ROLES}


# Protected routes: (method, path) -> expected status per caller. A version of 0 is always
# stale, so edits answer 409 (API) or a redirect with a conflict notice (pages) when allowed.
PROTECTED: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/api/v1/regions/{slug}/members"): STAFF_READ,
    ("POST", "/api/v1/regions/{slug}/members/search"): STAFF_READ,
    ("GET", "/api/v1/regions/{slug}/members/export/json"): STAFF_READ,
    ("GET", "/api/v1/regions/{slug}/members/{member_id}"): STAFF_READ,
    ("PATCH", "/api/v1/regions/{slug}/members/{member_id}"): {**STAFF_READ, SG: 409, RG: 403,
                                                              AD: 409},
    ("POST", "/api/v1/regions/{slug}/members/{member_id}/erase"): {**STAFF_READ, RG: 403},
    ("POST", "/api/v1/regions/{slug}/members/{member_id}/consents"): {
        **STAFF_READ, SG: 201, RG: 403, AD: 201},
    ("POST", "/api/v1/me/consents/{purpose}/withdraw"): only(M, 200),
    ("GET", "/api/v1/me"): only(M, 200),
    ("PATCH", "/api/v1/me"): only(M, 409),
    ("GET", "/api/v1/me/export"): only(M, 200),
    ("POST", "/api/v1/me/erasure-request"): only(M, 202),
    ("GET", "/api/v1/admin/audit"): only(AD, 200),
    ("POST", "/api/v1/auth/revoke"): signed_in(204),
    ("GET", "/account/"): signed_in(200, 303),
    ("GET", "/account/export"): only(M, 200, 303, 303),
    ("POST", "/account/edit"): signed_in(303, 303),
    ("POST", "/account/erasure"): signed_in(303, 303),
    ("GET", "/account/erasure"): signed_in(200, 303),
    ("POST", "/account/consents/withdraw"): signed_in(303, 303),
    ("POST", "/account/sign-out"): signed_in(303, 303),
    ("GET", "/account/notifications"): signed_in(200, 303),
    ("POST", "/account/notifications"): signed_in(303, 303),
    ("GET", "/admin/users"): only(AD, 200, 403, 303),
    ("POST", "/admin/users"): only(AD, 200, 403, 303),
    ("POST", "/admin/users/{user_id}/block"): only(AD, 303, 403, 303),
    ("POST", "/admin/users/{user_id}/access"): only(AD, 303, 403, 303),
    ("POST", "/admin/users/{user_id}/reactivate"): only(AD, 303, 403, 303),
    ("GET", "/admin/audit"): only(AD, 200, 403, 303),
    ("GET", "/admin/outbox"): only(AD, 200, 403, 303),
    ("GET", "/{slug}/staff/outbox"): PAGE_STAFF_READ,
    ("POST", "/admin/outbox/{mail_id}/retry"): only(AD, 303, 403, 303),
    ("GET", "/admin/jobs"): only(AD, 200, 403, 303),
    ("POST", "/admin/audit"): only(AD, 200, 403, 303),
    ("GET", "/{slug}/staff/members"): PAGE_STAFF_READ,
    ("POST", "/{slug}/staff/members"): PAGE_STAFF_READ,
    ("GET", "/{slug}/staff/members/{member_id}"): PAGE_STAFF_READ,
    ("POST", "/{slug}/staff/members/{member_id}"): {**PAGE_STAFF_READ, SG: 303, RG: 403,
                                                    AD: 303},
    ("POST", "/{slug}/staff/members/{member_id}/consents"): {**PAGE_STAFF_READ, SG: 303,
                                                             RG: 403, AD: 303},
    ("POST", "/{slug}/staff/members/{member_id}/erase"): {**PAGE_STAFF_READ, SG: 303,
                                                          RG: 403, AD: 303},
}
# Public routes that do not answer 2xx/3xx to a bare request, with the reason.
PUBLIC_EXPECTED: dict[tuple[str, str], int] = {
    ("GET", "/metrics"): 404,  # the test client has no address in CAMPAGNE_METRICS_ALLOW
    ("POST", "/api/v1/auth/token"): 422,  # no form sent
    ("POST", "/account/sign-in"): 403,  # no CSRF token
    ("POST", "/account/set-password"): 403,
    ("POST", "/account/reset"): 403,
}
# Bodies sent to routes that take one (JSON for the API, a form for pages).
for _area in AREAS:
    assert not set(_area.PROTECTED) & set(PROTECTED), f"{_area.__name__} repeats a route"
    PROTECTED.update(_area.PROTECTED)
    PUBLIC_EXPECTED.update(_area.PUBLIC_EXPECTED)


def public_status_ok(method: str, template: str, got: int) -> bool:
    """A public route answers as listed in ``PUBLIC_EXPECTED``; otherwise a GET succeeds and
    another method may refuse a bare request (422, 400...) but never asks for credentials
    (401/403) nor fails (5xx)."""
    expected = PUBLIC_EXPECTED.get((method, template))
    if expected is not None:
        return got == expected
    if method == "GET":
        return got < 400
    return got not in (401, 403) and got < 500


class Caller:
    """Makes requests as one role: bearer token for the API, session cookie for pages."""

    def __init__(self, w: World, role: str) -> None:
        self.w, self.role = w, role
        self.client = TestClient(w.client.app, raise_server_exceptions=False,
                                 follow_redirects=False)

    def _token(self) -> dict[str, str]:
        if self.role == A:
            return {}
        response = self.client.post("/api/v1/auth/token", data={
            "username": EMAILS[self.role], "password": PASSWORD})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def _session(self) -> str:
        self.client.cookies.clear()
        form = self.client.get("/account/sign-in").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form)
        assert csrf
        if self.role == A:
            return csrf.group(1)
        signed = self.client.post("/account/sign-in", data={
            "csrf": csrf.group(1), "email": EMAILS[self.role], "password": PASSWORD})
        assert signed.status_code == 303, signed.text
        page = self.client.get("/account/").text
        found = re.search(r'name="csrf" value="([^"]+)"', page)
        assert found
        return found.group(1)

    def call(self, method: str, template: str, url: str, protected: bool) -> Any:
        """One request with fresh credentials (some routes end them); forms of protected
        pages carry the session's CSRF token, public ones are sent bare."""
        body = dict(BODIES.get((method, template), {}))
        if template.startswith("/api/"):
            return self.client.request(method, url, headers=self._token(),
                                       json=body if method != "GET" else None)
        csrf = self._session()
        if method == "GET":
            return self.client.get(url)
        if template == "/admin/users":
            body = {"email": f"new-{len(url)}-{id(body)}@example.org", "role": "admin"}
        return self.client.request(method, url, data={"csrf": csrf, **body} if protected
                                   else body)


def test_authorization_matrix(tmp_path: Path, database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        with Session(w.instance.engine) as session:
            member = session.get(Member, w.gers_member)
            assert member and member.email
            personal = [member.email, f"{member.first_name} {member.last_name}"]
            personal += [m.email for m in session.exec(select(Member).limit(50)) if m.email]
            gers_id = member.region_id
            sample = session.exec(select(Member.id).where(
                Member.region_id == member.region_id, Member.id != member.id)).first()
            spare = create_account(session, w.instance.settings, email="spare@example.org",
                                   role=Role.STAFF, regions=["orne"])
            failed = queue_mail(session, w.instance.settings, kind="test", to="x@example.org",
                                subject="Bonjour", body="Bonjour\n")
            assert failed is not None
            failed.state = "failed"
            session.commit()
            assert sample and spare.id and failed.id
        services = [s["slug"] for s in w.client.get("/api/v1/regions/gers/services").json()]
        samples = {"member_id": str(sample), "service": services[0], "user_id": str(spare.id),
                   "mail_id": str(failed.id)}
        with Session(w.instance.engine) as session:
            for area in AREAS:
                samples.update(area.samples(session, gers_id, sample))
            session.commit()
        routes = app_routes(w.client)
        callers = {role: Caller(w, role) for role in ROLES}
        problems, cells = [], 0
        declared = {(method, path) for method, path, protected in routes if protected}
        problems += [f"{key} is in PROTECTED but is not a protected route"
                     for key in set(PROTECTED) - declared]
        for (method, template, protected), role in itertools.product(routes, ROLES):
            if protected and (method, template) not in PROTECTED:
                problems.append(f"{method} {template}: protected but missing from PROTECTED")
                continue
            response = callers[role].call(method, template, fill(template, samples),
                                         protected)
            cells += 1
            got = response.status_code
            if protected:
                expected = PROTECTED[(method, template)][role]
                if got != expected:
                    problems.append(f"{method} {template} as {role}: {got}, expected {expected}")
                continue
            if not public_status_ok(method, template, got):
                problems.append(f"public {method} {template} as {role}: {got}")
            leaked = [p for p in personal if p and p in response.text]
            if leaked:
                problems.append(f"public {method} {template} as {role}: personal data")
        assert not problems, "\n".join(problems)
        assert cells >= len(PROTECTED) * len(ROLES)


# POST routes of the pages that answer with a page, and why (post/redirect/get).
NOT_REDIRECTED = {
    "/admin/users": "shows a new account's invitation link once: a credential, which must "
                    "never be put in an address or kept for a later page",
    "/admin/audit": "a search: the actor's e-mail address travels in the body, never in "
                    "the URL (decision 0001); it changes nothing",
    "/{slug}/staff/members": "a search by name (decision 0001); it changes nothing",
    "/{slug}/staff/inquiries": "a search by name or e-mail address (decision 0001)",
    "/{slug}/staff/export/members": "a file download (the members as a spreadsheet)",
    "/{slug}/staff/export/inquiries": "a file download (the inquiries as a spreadsheet)",
    "/{slug}/newsletters/unsubscribe": "a mail client's one-click POST (RFC 8058) gets its "
                                       "answer itself; the page's own button is redirected "
                                       "(tests/features/newsletters/test_newsletter_"
                                       "unsubscribe.py)",
}
# Public forms (no signed-in marker): each is sent in tests/test_post_redirect_get.py.
PUBLIC = {"/account/sign-in", "/account/set-password", "/account/reset", "/{slug}/apply",
          "/{slug}/candidater", "/{slug}/rencontres/annulation",
          "/{slug}/rencontres/{event_id:int}/inscription", "/{slug}/meetups/cancel",
          "/{slug}/meetups/{event_id:int}/sign-up"}


def test_page_forms_answer_redirects(tmp_path: Path) -> None:
    """Post/redirect/get (docs/decisions/0033-confirmation-pages.md): no page form's valid
    submission answers 200 but those listed with their reason; the public forms are sent
    in tests/test_post_redirect_get.py."""
    with world(tmp_path) as w:
        routes = [(path, protected) for method, path, protected in app_routes(w.client)
                  if method == "POST" and not path.startswith("/api/")]
    paths = {path for path, _ in routes}
    assert set(NOT_REDIRECTED) <= paths, "an exclusion names a route that is gone"
    assert paths >= PUBLIC, "a public form listed here is gone"
    problems = []
    for path, protected in routes:
        if path in NOT_REDIRECTED:
            continue
        if not protected:
            if path not in PUBLIC:
                problems.append(f"{path}: a public form this test does not send")
            continue
        answers = set(PROTECTED[("POST", path)].values())
        if 200 in answers:
            problems.append(f"{path}: answers 200 to a valid form, not a redirect")
    assert not problems, "\n".join(problems)
