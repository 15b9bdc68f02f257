"""Inquiries and personal data: retention (``campagne purge``, its dry run), a member's export
and erasure, the rate-limit counters' housekeeping, the privacy notice."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pytest
from accounts_kit import world
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from campagne.auth.models import AuditEvent, LoginAttempt
from campagne.cli import main
from campagne.models import Region, utc_now
from campagne.operations.models import Inquiry, Interaction
from campagne.regions import reference_region_paths
from campagne.retention import expired_inquiries, housekeeping, purge_inquiries
from campagne.settings import CampagneSettings


def _add(session: Session, region_id: int, name: str, **values: object) -> Inquiry:
    fields: dict[str, object] = {
        "first_name": name, "last_name": "Testeur", "email": f"{name.lower()}@example.org",
        "message": f"Message de {name}", "answers": {"village": "Auch"}, "sector_slug": "other",
        "status": "independent", "origin_department": "75", "timing": "later", **values}
    row = Inquiry(region_id=region_id, **fields)  # type: ignore[arg-type]
    session.add(row)
    session.flush()
    return row


def test_purge_lists_then_anonymises_expired_inquiries(tmp_path: Path,
                                                      database_url: str) -> None:
    today = utc_now().date()
    days = dt.timedelta(days=1)
    with world(tmp_path, database_url) as w, Session(w.instance.engine) as session:
        gers = session.exec(select(Region).where(Region.slug == "gers")).one()
        assert gers.id is not None
        old = _add(session, gers.id, "Ancien", last_contact_at=today - (3 * 365 + 1) * days)
        recent = _add(session, gers.id, "Recent", last_contact_at=today - 30 * days)
        dropped = _add(session, gers.id, "Abandon", stage="not_pursued",
                       stage_changed_at=utc_now() - 100 * days)
        kept = _add(session, gers.id, "Garde", stage="not_pursued",
                    stage_changed_at=utc_now() - 200 * days,
                    answers={"keep_application": True})
        member = _add(session, gers.id, "Membre", member_id=w.gers_member,
                      last_contact_at=today - 4000 * days)
        session.add(Interaction(inquiry_id=old.id, kind="call", summary="Appel d'Ancien"))
        session.commit()
        settings = CampagneSettings()
        listed = purge_inquiries(session, settings, dry_run=True)
        assert {(i.inquiry_id, i.rule) for i in listed} == {
            (old.id, "prospect"), (dropped.id, "declined")}  # the demo ones are recent
        assert {i.since for i in listed} == {today - (3 * 365 + 1) * days,
                                             (utc_now() - 100 * days).date()}
        session.expire_all()
        assert session.get(Inquiry, old.id).erased_at is None  # type: ignore[union-attr]
        purge_inquiries(session, settings, dry_run=False)
        session.expire_all()
        for row in (old, dropped):
            gone = session.get(Inquiry, row.id)
            assert gone is not None and gone.erased_at is not None
            assert (gone.first_name, gone.email, gone.message, gone.answers) == (
                "—", None, None, {})
            assert (gone.sector_slug, gone.status, gone.origin_department, gone.timing) == (
                "other", "independent", "75", "later")  # what the figures count stays
        for row in (recent, kept, member):
            assert session.get(Inquiry, row.id).erased_at is None  # type: ignore[union-attr]
        [note] = session.exec(select(Interaction).where(Interaction.inquiry_id == old.id)).all()
        assert note.summary == "" and note.kind == "call"
        purged = session.exec(select(AuditEvent.target).where(
            AuditEvent.action == "purge")).all()
        assert sorted(purged) == sorted([f"inquiry:{old.id}", f"inquiry:{dropped.id}"])
        assert expired_inquiries(session, settings) == []
        # with the consent, two years; a region may shorten the periods
        later = today + 600 * days
        assert [i.inquiry_id for i in expired_inquiries(session, settings, later)
                if i.inquiry_id == kept.id] == [kept.id]
        shorter = CampagneSettings(retention={"gers": {"prospect": 20}})
        assert recent.id in {i.inquiry_id for i in expired_inquiries(session, shorter)}


def test_purge_command_prints_inquiries_without_names(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'purge.db'}"
    with world(tmp_path / "w", url) as w, Session(w.instance.engine) as session:
        gers = session.exec(select(Region).where(Region.slug == "gers")).one()
        assert gers.id is not None
        old_id = _add(session, gers.id, "Ancien",
                      last_contact_at=utc_now().date() - dt.timedelta(days=4 * 365)).id
        session.commit()
    assert main(["purge", "--dry-run", "--db", url, *map(str, reference_region_paths())]) == 0
    out = capsys.readouterr().out
    assert f"inquiry {old_id}\tgers\tnew\tprospect\tsince " in out
    assert "1 inquiry record(s) would be anonymised." in out
    assert "Ancien" not in out and "example.org" not in out
    assert main(["purge", "--db", url, *map(str, reference_region_paths())]) == 0
    assert "1 inquiry record(s) anonymised." in capsys.readouterr().out


def test_export_lists_the_member_inquiries_and_erasure_anonymises_them(
        tmp_path: Path, database_url: str) -> None:
    with world(tmp_path, database_url) as w:
        with Session(w.instance.engine) as session:
            mine = _add(session, 1, "Moi", member_id=w.gers_member,
                        consent_purpose="Suivi", profile={"status": "founder"})
            other = _add(session, 1, "Autre")
            session.add(Interaction(inquiry_id=mine.id, kind="note", summary="A rappeler"))
            session.commit()
            mine_id, other_id = mine.id, other.id
        export = w.client.get("/api/v1/me/export", headers=w.headers("member"))
        assert export.status_code == 200
        [listed] = export.json()["inquiries"]
        assert (listed["id"], listed["email"], listed["message"], listed["profile"]) == (
            mine_id, "moi@example.org", "Message de Moi", {"status": "founder"})
        assert listed["consent_purpose"] == "Suivi" and listed["stage"] == "new"
        assert "Autre" not in export.text
        erased = w.client.post(f"/api/v1/regions/gers/members/{w.gers_member}/erase",
                               headers=w.headers("staff_gers"))
        assert erased.status_code == 200
        with Session(w.instance.engine) as session:
            gone = session.get(Inquiry, mine_id)
            assert gone is not None and gone.erased_at is not None
            assert (gone.first_name, gone.last_name, gone.email, gone.answers) == (
                "—", "—", None, {})
            assert gone.sector_slug == "other" and gone.member_id == w.gers_member
            assert session.exec(select(Interaction.summary).where(
                Interaction.inquiry_id == mine_id)).all() == [""]
            untouched = session.get(Inquiry, other_id)
            assert untouched is not None and untouched.erased_at is None


def test_housekeeping_keeps_inquiry_counters_for_their_own_window(tmp_path: Path) -> None:
    with world(tmp_path) as w, Session(w.instance.engine) as session:
        now = utc_now()
        for key, minutes in (("inquiry:10.0.0.1", 30), ("inquiry:10.0.0.2", 90),
                             ("address:10.0.0.1", 30)):
            session.add(LoginAttempt(key=key, at=now - dt.timedelta(minutes=minutes)))
        session.commit()
        housekeeping(session, CampagneSettings())
        left = session.exec(select(LoginAttempt.key).where(
            col(LoginAttempt.key).in_(["inquiry:10.0.0.1", "inquiry:10.0.0.2",
                                       "address:10.0.0.1"]))).all()
        assert left == ["inquiry:10.0.0.1"]


def test_privacy_notice_speaks_of_inquiries(demo_client: TestClient) -> None:
    page = html.unescape(demo_client.get("/gers/privacy?lang=fr").text)
    assert "Demandes de renseignements" in page
    assert "Demandes en cours\u00a0: 1095 jours après le dernier contact venant de vous." in page
    assert "Demandes sans suite\u00a0: 91 jours, ou 730 jours" in page
    english = demo_client.get("/gers/privacy?lang=en").text
    assert "Inquiries still open: 1095 days" in english
