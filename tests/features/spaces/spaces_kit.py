"""Test helpers for spaces: serve an instance behind uvicorn in a thread; sign in on the
pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from accounts_kit import EMAILS, PASSWORD, World

from campagne.app import create_app
from campagne.instance import Instance
from campagne.testing import served


@contextmanager
def threaded_server(instance: Instance) -> Iterator[str]:
    """The app behind uvicorn in a thread (one process; sync routes run on its thread pool,
    each request on its own database connection); yields the base URL."""
    with served(create_app(instance), "spaces-live-server") as url:
        yield url


def sign_in(w: World, role: str) -> str:
    """Open a page session as ``role``; return its CSRF token."""
    w.client.cookies.clear()
    form = w.client.get("/account/sign-in").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf
    signed = w.client.post("/account/sign-in", data={
        "csrf": csrf.group(1), "email": EMAILS[role], "password": PASSWORD},
        follow_redirects=False)
    assert signed.status_code == 303
    page = w.client.get("/account/").text
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found
    return found.group(1)
