"""What the route matrices share: every route of the application as the tests read it
(``app.routes``, included routers flattened), the sample bodies of the routes that need one,
the areas of operations (each in its tests/matrix_*.py) and how a path template is filled."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import matrix_followup
import matrix_inquiries
import matrix_meetups
import matrix_newsletters
import matrix_spaces
import matrix_spreadsheets
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from campagne.api.security import api_principal
from campagne.web.sessions import page_principal

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/regions/{slug}/members/search"): {"name": "a"},
    ("PATCH", "/api/v1/regions/{slug}/members/{member_id}"): {"version": 0},
    ("PATCH", "/api/v1/me"): {"version": 0},
    ("POST", "/api/v1/regions/{slug}/members/{member_id}/consents"): {"purpose": "programme"},
    ("POST", "/account/edit"): {"version": "0"},
    ("POST", "/account/consents/withdraw"): {"purpose": "programme"},
    ("POST", "/{slug}/staff/members"): {"name": "a"},
    ("POST", "/{slug}/staff/members/{member_id}"): {"version": "0"},
    ("POST", "/{slug}/staff/members/{member_id}/consents"): {"purpose": "programme"},
    ("POST", "/admin/audit"): {"action": "read"},
    ("POST", "/admin/users/{user_id}/access"): {"role": "staff", "region": "orne"},
    # destructive actions are sent as from their confirmation page
    ("POST", "/{slug}/staff/members/{member_id}/erase"): {"confirm": "yes"},
    ("POST", "/admin/users/{user_id}/block"): {"confirm": "yes"},
}
# Each area of operations keeps its own expectations and sample rows in tests/matrix_*.py.
AREAS = [matrix_inquiries, matrix_followup, matrix_meetups, matrix_spaces, matrix_spreadsheets,
         matrix_newsletters]
for _area in AREAS:
    BODIES.update(_area.BODIES)
SIGN_IN_MARKERS: set[Callable[..., Any]] = {api_principal, page_principal}


def is_protected(route: Any) -> bool:
    """Declared behind the sign-in marker at router (or route) level."""
    return any(dep.dependency in SIGN_IN_MARKERS for dep in route.dependencies)


def uses_sign_in(route: Any) -> bool:
    """Anywhere in its dependency tree."""
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        if dependant.call in SIGN_IN_MARKERS:
            return True
        stack.extend(dependant.dependencies)
    return False


def app_routes(client: TestClient) -> list[tuple[str, str, bool]]:
    """(method, path, protected) for every route, included routers flattened; static mounts
    are public files."""
    found = []
    for route in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        original = route.original_route
        if isinstance(original, Mount):
            assert str(route.path).startswith("/static/"), f"unexpected mount {route.path}"
            continue
        assert isinstance(original, Route), f"unknown kind of route {original!r}"
        api = isinstance(original, APIRoute)
        protected = api and is_protected(route)
        if api and not protected:
            assert not uses_sign_in(route), (
                f"{route.path} needs a signed-in caller but its router lacks the marker")
        for method in sorted((route.methods or set()) - {"HEAD"}):
            found.append((method, str(route.path), protected))
    return found


def fill(path: str, samples: dict[str, str]) -> str:
    """The path with sample values: the Gers, one of its members (not the one with an
    account: the matrix erases it), its first service, a spare account (blocked by it)."""
    values = {"slug": "gers", "purpose": "programme", **samples}
    unknown = set(re.findall(r"{(\w+)(?::\w+)?}", path)) - set(values)
    assert not unknown, f"{path}: give the matrix a sample value for {sorted(unknown)}"
    return re.sub(r"{(\w+)(?::\w+)?}", lambda m: values[m.group(1)], path)
