"""The staff's newsletter pages: a draft is checked, changed and previewed (Markdown, its
HTML cleaned), its recipients counted before sending; once sent it cannot change; read-only
staff see the list and a letter but can neither write nor send; other regions' staff see
nothing; writing and sending are audited."""

from __future__ import annotations

from pathlib import Path

from accounts_kit import sign_in_world as sign_in
from accounts_kit import world
from inquiry_kit import new_inquiry
from newsletters_kit import newsletter, subscribe, write, written
from sqlmodel import Session, col, select

from campagne.auth.models import AuditEvent
from campagne.outbox.models import OutboxMail


def test_writing_checking_and_changing_a_draft(tmp_path: Path) -> None:
    with world(tmp_path) as w:
        csrf = sign_in(w, "staff_gers")
        refused = write(w, csrf, subject=" ", body="", segment="sector", sector="nope")
        assert refused.status_code == 422
        assert refused.text.count("<li>") >= 3 and "Donnez un objet" in refused.text
        letter = written(w, csrf, segment="commune", commune="Auch",
                         body="[site](javascript:alert(1)) <img src=x onerror=alert(1)> ok")
        page = w.client.get(f"/gers/staff/newsletters/{letter}").text
        preview = page.split('class="newsletter-preview">')[1].split("</article>")[0]
        assert 'href="javascript:' not in preview and "<img" not in preview
        assert "&lt;img src=x onerror=alert(1)&gt; ok" in preview  # shown, never run
        assert "Auch" in page
        form = w.client.get(f"/gers/staff/newsletters/{letter}/edit").text
        assert 'value="Auch"' in form
        changed = w.client.post(f"/gers/staff/newsletters/{letter}", data={
            "csrf": csrf, "subject": "Autre objet", "body": "Texte", "segment": "members"},
            follow_redirects=False)
        assert changed.headers["location"].endswith("notice=saved")
        assert newsletter(w, letter).subject == "Autre objet"
        sent = w.client.post(f"/gers/staff/newsletters/{letter}/send", data={"csrf": csrf},
                             follow_redirects=False)
        assert sent.status_code == 303
        late = w.client.post(f"/gers/staff/newsletters/{letter}", data={
            "csrf": csrf, "subject": "Trop tard", "body": "Texte", "segment": "members"},
            follow_redirects=False)
        assert late.headers["location"].endswith("notice=sent")
        assert newsletter(w, letter).subject == "Autre objet"
        with Session(w.instance.engine) as session:
            actions = session.exec(select(AuditEvent.action).where(
                col(AuditEvent.action).like("newsletter_%"))).all()
        assert actions.count("newsletter_write") == 2 and "newsletter_send" in actions


def test_read_only_staff_cannot_write_nor_send(tmp_path: Path) -> None:
    with world(tmp_path) as w:
        subscribe(w, inquiry_id=new_inquiry(w))
        letter = written(w, sign_in(w, "staff_gers"), segment="prospects")
        csrf = sign_in(w, "reader_gers")
        listing = w.client.get("/gers/staff/newsletters")
        assert listing.status_code == 200 and "/newsletters/new" not in listing.text
        seen = w.client.get(f"/gers/staff/newsletters/{letter}")
        assert seen.status_code == 200 and "/send" not in seen.text
        assert w.client.get("/gers/staff/newsletters/new").status_code == 403
        assert write(w, csrf).status_code == 403
        assert w.client.post(f"/gers/staff/newsletters/{letter}/send",
                             data={"csrf": csrf}).status_code == 403
        assert newsletter(w, letter).sent_at is None
        with Session(w.instance.engine) as session:
            assert session.exec(select(OutboxMail).where(
                OutboxMail.kind == "newsletter")).all() == []
        sign_in(w, "staff_orne")
        assert w.client.get(f"/gers/staff/newsletters/{letter}").status_code == 403
        assert w.client.get(f"/orne/staff/newsletters/{letter}").status_code == 404
