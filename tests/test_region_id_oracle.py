"""No existence oracle on region-scoped ids: for every route (API and pages, read from
``app.routes``) whose path takes the id of a region's record, and for every kind of caller,
an id that exists in another region, or that the caller may not reach, answers exactly as an
id that does not exist (same status, same message).

Compared, for each region in the path and each caller:

* every id taken from the *other* region, against every id missing;
* the first ids from the region in the path and the rest from the other region, against the
  same first ids and the rest missing (a sign-up of another region under one's meetup...);
* for callers without a right on the region in the path (anonymous, members, other
  regions' staff), every id from that region against its private ids missing (meetups and
  spaces are public: their ids stay).

The sample rows are those of the authorization matrix (tests/matrix_*.py), made in both
regions; no call is meant to succeed in changing anything."""

from __future__ import annotations

import re
from pathlib import Path

from accounts_kit import EMAILS, PASSWORD, ROLES, World, world
from fastapi.testclient import TestClient
from matrix_kit import AREAS, BODIES, app_routes
from sqlmodel import Session, select

from campagne.features.spaces.models import Booking
from campagne.models import Member, Region

A, M, SG, RG, SO, AD = ROLES
PARAM = re.compile(r"{(\w+)(?::\w+)?}")
#: Ids of records anyone may see (their existence is public by design).
PUBLIC_IDS = {"event_id", "space_id"}
#: Path parameters that name no region's record.
NOT_REGION_RECORDS = {"user_id", "mail_id"}  # accounts; the outbox (administrators only)
MISSING = 2_000_000_000  # within every backend's integer range, never given
#: Callers with no right on a region's records (its members' own rows are not samples).
OUTSIDERS = {"gers": (A, M, SO), "orne": (A, M, SG, RG)}
OTHER = {"gers": "orne", "orne": "gers"}
LEAD = re.compile(r'<p class="lead">(.*?)</p>', re.S)


def id_params(template: str) -> list[str]:
    """The ids of region records a path takes, in order (parents first)."""
    return [name for name in PARAM.findall(template)
            if name.endswith("_id") and name not in NOT_REGION_RECORDS]


def region_samples(session: Session, slug: str, skip_member: int) -> dict[str, str]:
    """The matrix's sample rows made in region ``slug``, for a member without an account
    (the desk booking, the matrix member's own, is given to that member)."""
    region_id = session.exec(select(Region.id).where(Region.slug == slug)).one()
    assert region_id is not None
    member_id = session.exec(select(Member.id).where(
        Member.region_id == region_id, Member.id != skip_member)).first()
    assert member_id is not None
    values = {"member_id": str(member_id)}
    for area in AREAS:
        values.update(area.samples(session, region_id, member_id))
    booking = session.get(Booking, int(values["booking_id"]))
    assert booking is not None
    booking.member_id = member_id
    session.add(booking)
    return values


class Caller:
    """One role's client: its bearer token for the API, its signed-in session for pages."""

    def __init__(self, w: World, role: str) -> None:
        self.role = role
        self.client = TestClient(w.client.app, raise_server_exceptions=False,
                                 follow_redirects=False)
        self.headers: dict[str, str] = {}
        self.csrf = ""
        if role == A:
            return
        token = self.client.post("/api/v1/auth/token", data={
            "username": EMAILS[role], "password": PASSWORD})
        assert token.status_code == 200, token.text
        self.headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        form = re.search(r'name="csrf" value="([^"]+)"', self.client.get("/account/sign-in").text)
        assert form
        signed = self.client.post("/account/sign-in", data={
            "csrf": form.group(1), "email": EMAILS[role], "password": PASSWORD})
        assert signed.status_code == 303, signed.text
        page = re.search(r'name="csrf" value="([^"]+)"', self.client.get("/account/").text)
        assert page
        self.csrf = page.group(1)

    def outcome(self, method: str, template: str, slug: str, ids: dict[str, str]
                ) -> tuple[int, str]:
        """The status and the message of one call, the ids in the answer masked."""
        url = PARAM.sub(lambda m: slug if m.group(1) == "slug" else ids[m.group(1)], template)
        body = dict(BODIES.get((method, template), {}))
        if template.startswith("/api/"):
            response = self.client.request(method, url, headers=self.headers,
                                           json=body if method != "GET" else None)
            message = response.text if response.headers.get(
                "content-type", "").startswith("application/json") else ""
        else:
            data = {"csrf": self.csrf, **body} if self.csrf and method != "GET" else body
            response = self.client.request(method, url, data=data or None)
            lead = LEAD.search(response.text)
            message = response.headers.get("location", "") + (lead.group(1) if lead else "")
        assert response.status_code < 500, f"{method} {url} as {self.role}: 5xx"
        for value in sorted(set(ids.values()), key=len, reverse=True):
            message = re.sub(rf"\b{value}\b", "<id>", message)
        return response.status_code, message


def pairs(names: list[str], slug: str, samples: dict[str, dict[str, str]], role: str
          ) -> list[tuple[str, dict[str, str], dict[str, str]]]:
    """(what is compared, ids that exist somewhere, ids that exist nowhere) for a path with
    the ids ``names`` under region ``slug``."""
    here, there = samples[slug], samples[OTHER[slug]]
    missing = {name: str(MISSING) for name in names}
    found = []
    for k in range(len(names)):  # the first k ids from the region, the rest elsewhere
        kept = {name: here[name] for name in names[:k]}
        found.append((f"first {k} here, rest from {OTHER[slug]}",
                      {**kept, **{name: there[name] for name in names[k:]}},
                      {**kept, **{name: missing[name] for name in names[k:]}}))
    private = [name for name in names if name not in PUBLIC_IDS]
    if role in OUTSIDERS[slug] and private:
        found.append(("a region the caller may not reach",
                      {name: here[name] for name in names},
                      {name: missing[name] if name in private else here[name]
                       for name in names}))
    return found


def test_another_regions_id_answers_as_a_missing_one(tmp_path: Path, database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        with Session(w.instance.engine) as session:
            samples = {slug: region_samples(session, slug, w.gers_member)
                       for slug in ("gers", "orne")}
            session.commit()
        callers = {role: Caller(w, role) for role in ROLES}
        routes = [(method, template) for method, template, _protected in app_routes(w.client)
                  if id_params(template)]
        assert len(routes) >= 50, "the routes with ids were not found"
        problems, compared = [], 0
        for (method, template), slug, role in ((r, s, o) for r in routes
                                               for s in ("gers", "orne") for o in ROLES):
            for what, existing, absent in pairs(id_params(template), slug, samples, role):
                seen = callers[role].outcome(method, template, slug, existing)
                expected = callers[role].outcome(method, template, slug, absent)
                compared += 1
                if seen != expected:
                    problems.append(f"{method} {template} in {slug} as {role} ({what}): "
                                    f"{seen} but {expected} when missing")
        assert not problems, "\n".join(problems)
        assert compared >= len(routes) * len(ROLES) * 2
        # the samples are real rows: their own region's staff reach them
        for template in ("/api/v1/regions/{slug}/members/{member_id}/follow-up",
                         "/api/v1/regions/{slug}/inquiries/{inquiry_id}",
                         "/api/v1/regions/{slug}/spaces/{space_id}/bookings"):
            for slug, role in (("gers", SG), ("orne", SO)):
                assert callers[role].outcome("GET", template, slug, samples[slug])[0] == 200
