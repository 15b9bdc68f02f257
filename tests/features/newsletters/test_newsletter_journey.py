"""A newsletter from consent to unsubscribing, against a real SMTP server: a prospect ticks
the box of the inquiry form and a member the one of their account page; staff write,
preview and send to a segment; each e-mail carries the RFC 8058 headers and the same link
in its text; the mail client's one-click POST unsubscribes without a cookie nor a form
token, once; the staff's list counts sends and unsubscriptions."""

from __future__ import annotations

from pathlib import Path

import pytest
from accounts_kit import sign_in_world as sign_in
from accounts_kit import world
from fastapi.testclient import TestClient
from inquiry_kit import deliver, inquiries, send_form, smtp_server
from newsletters_kit import LINK, newsletter, path_of, subscription, written
from sqlmodel import Session, col, select

from campagne.auth.models import AuditEvent
from campagne.features.newsletters.models import Subscription
from campagne.outbox.models import OutboxMail


def subscriptions(w_engine: object) -> list[Subscription]:
    """Every subscription, in order."""
    with Session(w_engine) as session:  # type: ignore[call-overload]
        return list(session.exec(select(Subscription).order_by(col(Subscription.id))).all())


def test_consent_send_and_one_click_unsubscribe(tmp_path: Path, database_url: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_server(monkeypatch) as inbox, world(tmp_path, database_url) as w:
        form = w.client.get("/gers/candidater").text
        assert 'name="consent_newsletter"' in form and "checked" not in form.split(
            'name="consent_newsletter"')[1].split(">")[0]
        assert send_form(w.client, consent_newsletter="on").status_code == 303
        assert send_form(w.client, email="sans.lettre@example.org").status_code == 303
        [ticked, _] = inquiries(w.instance)
        [prospect] = subscriptions(w.instance.engine)
        assert (prospect.inquiry_id, prospect.email, prospect.source) == (
            ticked.id, "camille@example.org", "inquiry_form")
        assert prospect.unsubscribed_at is None

        csrf = sign_in(w, "member")
        assert "Stop receiving" not in w.client.get("/account/").text
        chosen = w.client.post("/account/newsletter", data={"csrf": csrf, "subscribe": "on"},
                               follow_redirects=False)
        assert chosen.status_code == 303
        assert "Stop receiving the newsletter" in w.client.get("/account/?lang=en").text
        assert [s.source for s in subscriptions(w.instance.engine)] == ["inquiry_form",
                                                                       "account"]

        csrf = sign_in(w, "staff_gers")
        letter = written(w, csrf, segment="prospects",
                         body="# Bonjour\n\n<script>alert(1)</script> La **rencontre**.\n")
        page = w.client.get(f"/gers/staff/newsletters/{letter}")
        assert '<strong>rencontre</strong>' in page.text and "<script>alert" not in page.text
        assert '<dd id="recipient-count">1</dd>' in page.text
        sent = w.client.post(f"/gers/staff/newsletters/{letter}/send", data={"csrf": csrf},
                             follow_redirects=False)
        assert sent.headers["location"].endswith("notice=queued")
        again = w.client.post(f"/gers/staff/newsletters/{letter}/send", data={"csrf": csrf},
                              follow_redirects=False)
        assert again.headers["location"].endswith("notice=already")
        with Session(w.instance.engine) as session:
            queued = session.exec(select(OutboxMail).where(OutboxMail.kind == "newsletter")).all()
            [event] = session.exec(select(AuditEvent).where(
                AuditEvent.action == "newsletter_send")).all()
        assert [m.recipient for m in queued] == ["camille@example.org"]
        assert event.detail["count"] == 1 and event.target == f"newsletter:{letter}"

        deliver(w.instance)
        [mail] = [m for m in inbox.to("camille@example.org") if m["Subject"] ==
                  "Nouvelles du programme"]
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        found = LINK.fullmatch(mail["List-Unsubscribe"])
        assert found, mail["List-Unsubscribe"]
        link = found.group(1)
        assert link in inbox.body(mail) and "La **rencontre**." in inbox.body(mail)
        token = link.split("token=")[1]
        with Session(w.instance.engine) as session:
            [kept] = session.exec(select(OutboxMail).where(OutboxMail.kind == "newsletter")).all()
        assert token not in kept.body and token not in str(kept.headers)  # masked once sent

        stranger = TestClient(w.client.app)  # no cookie, no form token: a mail client
        done = stranger.post(path_of(link), content="List-Unsubscribe=One-Click",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert done.status_code == 200 and "Votre désabonnement est enregistré" in done.text
        gone = subscription(w, prospect.id or 0)
        assert gone is not None and gone.unsubscribed_at is not None
        twice = stranger.post(path_of(link), content="List-Unsubscribe=One-Click",
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert twice.status_code == 200 and "Vous ne recevez plus la lettre" in twice.text
        stored = newsletter(w, letter)
        assert (stored.sent_count, stored.unsubscribed_count) == (1, 1)
        listing = w.client.get("/gers/staff/newsletters").text
        assert '<td class="num">1</td>\n      <td class="num">1</td>' in listing
