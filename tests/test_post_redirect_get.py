"""Post/redirect/get: every form of the pages that succeeds answers ``303 See Other`` to a
page read with GET, so that no page is left on a POST address (reloading it sends nothing
again, the back button works). docs/decisions/0033-confirmation-pages.md.

The routes are read from ``app.routes`` by ``test_page_forms_answer_redirects`` in
tests/test_authorization_matrix.py: a signed-in page's answers are the matrix's, which sends
every route a valid form as every kind of caller, and none may expect 200; the public forms
it lists are sent here, each as a person would. A refused form (a missing field, a stale
version) is sent back with its errors: that is not a success, and it is not a redirect."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from accounts_kit import EMAILS, PASSWORD, World, world
from fastapi.testclient import TestClient
from inquiry_kit import send_form
from meetups_kit import new_event
from sqlmodel import Session, col, select

from campagne.features.meetups.mail import cancel_token, token_registration
from campagne.outbox.models import OutboxMail

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _csrf(client: TestClient, path: str) -> str:
    found = CSRF.search(client.get(path).text)
    assert found, path
    return found.group(1)


def _redirected(answer: object, client: TestClient) -> str:
    """Assert ``answer`` is a 303 to a page that answers a GET; return its address."""
    assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]
    location: str = answer.headers["location"]  # type: ignore[attr-defined]
    assert client.get(location).status_code == 200, location
    return location


def test_the_public_forms_answer_a_redirect(tmp_path: Path) -> None:
    with world(tmp_path) as w:
        client = TestClient(w.client.app, follow_redirects=False)
        for path in ("/gers/candidater", "/gers/apply"):
            _redirected(send_form(client, path, email=f"prg{len(path)}@example.org"), client)
        reset = client.post("/account/reset", data={
            "csrf": _csrf(client, "/account/reset"), "email": EMAILS["member"]})
        assert _redirected(reset, client) == "/account/reset?sent=1"
        with Session(w.instance.engine) as session:
            mail = session.exec(select(OutboxMail).where(
                OutboxMail.kind == "password_reset").order_by(col(OutboxMail.id).desc())).first()
        secret = re.search(r"token=(\S+)", mail.body if mail else "")
        assert secret
        chosen = client.post("/account/set-password", data={
            "csrf": _csrf(client, f"/account/set-password?token={secret.group(1)}"),
            "token": secret.group(1), "password": PASSWORD})
        _redirected(chosen, client)
        _sign_ups_and_cancellations(w, client)
        signed_in = client.post("/account/sign-in", data={
            "csrf": _csrf(client, "/account/sign-in"), "email": EMAILS["member"],
            "password": PASSWORD})
        _redirected(signed_in, client)


def _sign_ups_and_cancellations(w: World, client: TestClient) -> None:
    """A guest signs up and cancels through the French and the English addresses."""
    for listing, sign_up, cancel in (("rencontres", "inscription", "annulation"),
                                     ("meetups", "sign-up", "cancel")):
        event = new_event(w)
        page = f"/gers/{listing}/{event['id']}"
        answer = client.post(f"{page}/{sign_up}", data={
            "csrf": _csrf(client, page), "name": "Anne Essai",
            "email": f"anne-{listing}@example.org"})
        location = _redirected(answer, client)
        secret = parse_qs(urlsplit(location).query)["r"][0]
        registration = token_registration(w.instance.settings, secret, b"meetup-signed-up:")
        assert registration is not None
        token = cancel_token(w.instance.settings, registration)
        cancel_page = f"/gers/{listing}/{cancel}?token={token}"
        cancelled = client.post(f"/gers/{listing}/{cancel}", data={
            "csrf": _csrf(client, cancel_page), "token": token})
        assert _redirected(cancelled, client) == cancel_page
        assert 'name="token"' not in client.get(cancel_page).text  # done: no button left
