"""Hostile values sent to every route of the application (read from ``app.routes``, so a new
route is covered without being listed): ids beyond the database's integers, NUL and other
control characters, lone surrogates in JSON, Unicode digits, non-ASCII tokens. None may end
in a server error, anonymously or signed in, on SQLite and PostgreSQL; text holding a
control character is always refused with a 4xx."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matrix_followup
import matrix_inquiries
import matrix_meetups
import matrix_newsletters
import matrix_spaces
from accounts_kit import EMAILS, PASSWORD, World, world
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from matrix_kit import BODIES, fill
from pydantic import BaseModel
from sqlmodel import Session, select

from campagne.models import Member

HUGE_NUMBERS = [str(2**31), str(2**63), "9" * 30, "-" + str(2**63)]
# Text that no field may hold (refused, 4xx) and text that is odd but harmless (no 5xx).
REFUSED_TEXT = ["a\x00b", "\x00", "a\x1bb", "a\x7fb"]
ODD_TEXT = ["²", "٣", "é", "1²", *HUGE_NUMBERS[:2]]
# Raw JSON values: a NUL, a lone surrogate (no UTF-8 form), a number beyond every column.
REFUSED_JSON = ['"a\\u0000b"', '"\\ud800"', '"\\udfff x"']
ODD_JSON = [str(2**63), str(2**31), "1e400", '"²"']
# Forms read by hand (no FastAPI parameters to discover their fields from).
HAND_READ_FORMS: dict[str, list[str]] = {
    "/{slug}/apply": ["first_name", "last_name", "email", "message", "sector", "timing",
                      "profile_sector", "profile_department"],
    "/{slug}/candidater": ["first_name", "email"],
    "/{slug}/staff/spaces": ["name", "commune", "seats", "latitude"],
    "/{slug}/staff/spaces/{space_id}": ["name", "seats", "version"],
}
SENTINEL = "__hostile__"


@dataclass
class Inputs:
    """The parameters of one route, by where they are sent."""

    path: list[str] = field(default_factory=list)
    query: list[str] = field(default_factory=list)
    form: list[str] = field(default_factory=list)
    json_fields: list[str] = field(default_factory=list)


def _dependants(dependant: Any) -> Iterator[Any]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def _model(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def route_inputs(route: Any) -> Inputs:
    """Where the route takes its values from, found in its dependency tree."""
    found = Inputs()
    for dependant in _dependants(route.dependant):
        found.path += [p.alias for p in dependant.path_params]
        found.query += [p.alias for p in dependant.query_params]
        for param in dependant.body_params:
            model = _model(param.field_info.annotation)
            if model is not None:
                found.json_fields += [info.alias or name
                                      for name, info in model.model_fields.items()]
            else:
                found.form.append(param.alias)
    found.form += HAND_READ_FORMS.get(str(route.path), [])
    return found


class Caller:
    """One kind of caller: anonymous (with the double-submit CSRF token of forms shown
    before sign-in), or signed in with a session (pages) and a bearer token (API)."""

    def __init__(self, w: World, role: str | None) -> None:
        self.client = TestClient(w.client.app, raise_server_exceptions=False,
                                 follow_redirects=False)
        self.role = role
        self.headers: dict[str, str] = {}
        self.csrf = ""
        self.refresh()

    def refresh(self) -> None:
        """A fresh session and token (a route may have ended the previous ones)."""
        self.client.cookies.clear()
        form = self.client.get("/account/sign-in").text
        token = re.search(r'name="csrf" value="([^"]+)"', form)
        assert token
        self.csrf = token.group(1)
        if self.role is None:
            return
        credentials = {"email": EMAILS[self.role], "password": PASSWORD}
        signed = self.client.post("/account/sign-in", data={"csrf": self.csrf, **credentials})
        assert signed.status_code == 303, signed.text
        found = re.search(r'name="csrf" value="([^"]+)"', self.client.get("/account/").text)
        assert found
        self.csrf = found.group(1)
        api = self.client.post("/api/v1/auth/token", data={
            "username": credentials["email"], "password": PASSWORD})
        self.headers = {"Authorization": f"Bearer {api.json()['access_token']}"}


@dataclass
class Case:
    """One request and what it may answer."""

    method: str
    url: str
    what: str
    refused: bool  # a control character: must be 4xx
    form: dict[str, str] | None = None
    json_text: str | None = None
    query: dict[str, str] | None = None


def cases(method: str, template: str, inputs: Inputs, samples: dict[str, str],
          csrf: str) -> Iterator[Case]:
    """Each hostile value in each place the route reads, the other values left plausible."""
    url = fill(template, samples)
    base = {key: str(value) for key, value in BODIES.get((method, template), {}).items()}
    for name in inputs.path:
        for value in [*HUGE_NUMBERS, "²", "٣"]:
            hostile = fill(template, {**samples, name: value})
            yield Case(method, hostile, f"path {name}={value!r}", False,
                       form={"csrf": csrf, **base} if inputs.form else None)
    for name in inputs.query:
        for value in REFUSED_TEXT + ODD_TEXT:
            yield Case(method, url, f"query {name}={value!r}", value in REFUSED_TEXT,
                       query={name: value})
    if method != "GET":
        for name in inputs.form:
            for value in REFUSED_TEXT + ODD_TEXT:
                form = {"csrf": csrf, **base, name: value}
                yield Case(method, url, f"form {name}={value!r}", value in REFUSED_TEXT,
                           form=form)
        for name in inputs.json_fields:
            for value in REFUSED_JSON + ODD_JSON:
                body = json.dumps({**BODIES.get((method, template), {}), name: SENTINEL})
                yield Case(method, url, f"json {name}={value}", value in REFUSED_JSON,
                           json_text=body.replace(f'"{SENTINEL}"', value))
        if inputs.json_fields:  # a hostile key
            yield Case(method, url, "json key NUL", True, json_text='{"a\\u0000": 1}')


def send(caller: Caller, case: Case) -> Any:
    """Send one case as ``caller``."""
    headers = dict(caller.headers) if case.url.startswith("/api/") else {}
    if case.json_text is not None:
        headers["content-type"] = "application/json"
        return caller.client.request(case.method, case.url, content=case.json_text,
                                     headers=headers, params=case.query)
    return caller.client.request(case.method, case.url, data=case.form, headers=headers,
                                 params=case.query)


def _samples(w: World) -> dict[str, str]:
    with Session(w.instance.engine) as session:
        member = session.get(Member, w.gers_member)
        assert member is not None and member.region_id is not None
        other = session.exec(select(Member.id).where(
            Member.region_id == member.region_id, Member.id != member.id)).first()
        assert other is not None
        found = {"slug": "gers", "purpose": "programme", "member_id": str(other),
                 "service": "accueil", "user_id": "1", "mail_id": "1"}
        for area in (matrix_inquiries, matrix_followup, matrix_meetups, matrix_spaces,
                     matrix_newsletters):
            found.update(area.samples(session, member.region_id, other))
        session.commit()
    services = w.client.get("/api/v1/regions/gers/services").json()
    found["service"] = services[0]["slug"]
    return found


def test_no_hostile_value_ends_in_a_server_error(tmp_path: Path, database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        samples = _samples(w)
        callers = [Caller(w, None), Caller(w, "admin"), Caller(w, "member")]
        problems: list[str] = []
        sent = 0
        for route in iter_route_contexts(w.client.app.routes):  # type: ignore[attr-defined]
            if not isinstance(route.original_route, APIRoute):
                continue
            template = str(route.path)
            inputs = route_inputs(route)
            for method in sorted((route.methods or set()) - {"HEAD"}):
                for caller in callers:
                    if caller.role == "member" and not template.startswith(
                            ("/api/v1/me", "/account")):
                        continue
                    for case in cases(method, template, inputs, samples, caller.csrf):
                        got = send(caller, case).status_code
                        sent += 1
                        if got >= 500 or (case.refused and not 400 <= got < 500):
                            problems.append(f"{method} {template} {case.what} as "
                                            f"{caller.role or 'anonymous'}: {got}")
                        if got in (401, 303) and caller.role is not None:
                            caller.refresh()  # a route ended the session: sign in again
        assert not problems, f"{len(problems)} of {sent}:\n" + "\n".join(problems)
        assert sent > 1000
