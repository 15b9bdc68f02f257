"""Spreadsheets through the API and the staff pages (SQLite and PostgreSQL): exports equal
the filtered lists, are escaped against formulas and audited; read-only staff export but do
not import; the import pages go from upload to mapping, preview and confirmation, and the
uploaded file does not outlive the import."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from accounts_kit import EMAILS, World, sign_in_afresh
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sheets_kit import DATA, TOKEN, chosen_fields, upload, upload_and_confirm
from sqlmodel import Session, col, delete, select

from campagne.auth.models import AuditEvent
from campagne.features.spreadsheets.models import SheetUpload
from campagne.models import Member, Region
from campagne.operations.models import Inquiry, Interaction

API = "/api/v1/regions/gers"


def csv_rows(content: bytes) -> list[list[str]]:
    """The rows of an exported CSV (which starts with a BOM and uses ``;``)."""
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(content: bytes) -> list[tuple[Any, ...]]:
    """The rows of an exported workbook's first sheet."""
    return list(load_workbook(io.BytesIO(content), read_only=True).active
                .iter_rows(values_only=True))


def listed_emails(w: World, **criteria: Any) -> list[str | None]:
    """The e-mails of the staff list (the members API), every page, in its order."""
    emails: list[str | None] = []
    page = 1
    while True:
        answer = w.client.post(f"{API}/members/search", headers=w.headers("staff_gers"),
                               json={**criteria, "page": page, "per_page": 200}).json()
        emails += [item["email"] for item in answer["items"]]
        if page * 200 >= answer["total"]:
            return emails
        page += 1


def events(w: World, action: str) -> list[AuditEvent]:
    """The audit events of ``action``, oldest first."""
    with Session(w.instance.engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)
                                 .order_by(col(AuditEvent.id))))


def test_api_exports_equal_the_filtered_lists(w: World) -> None:
    response = w.client.get(f"{API}/members/export/csv?status=settled",
                            headers=w.headers("staff_gers"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="gers-members-\d{4}-\d\d-\d\d\.csv"',
                        response.headers["content-disposition"])
    assert response.headers["cache-control"] == "no-store"
    rows = csv_rows(response.content)
    assert rows[0][:3] == ["Nom", "Prénom", "Courriel"]  # the default language, French
    settled = listed_emails(w, status="settled")
    assert len(settled) > 100 and [row[2] for row in rows[1:]] == settled

    body = {"commune": "auch", "sector": "it_internet_ecommerce"}
    response = w.client.post(f"{API}/members/export/xlsx", json=body,
                             headers={**w.headers("staff_gers"), "Accept-Language": "en"})
    sheet = xlsx_rows(response.content)
    assert sheet[0][:3] == ("Last name", "First name", "E-mail")
    assert [row[2] for row in sheet[1:]] == listed_emails(w, **body) != []
    arrival = sheet[0].index("Arrival date")
    assert all(isinstance(row[arrival], dt.datetime) for row in sheet[1:])

    name = w.client.post(f"{API}/members/export/csv", json={"name": "zzzz-nobody"},
                         headers=w.headers("staff_gers"))
    assert csv_rows(name.content)[1:] == []
    assert w.client.post(f"{API}/members/export/csv", json={"status": "gone"},
                         headers=w.headers("staff_gers")).status_code == 422


def without_demo_inquiries(w: World) -> None:
    """Start from no inquiry at all (the demo seeds some at every stage)."""
    with Session(w.instance.engine) as session:
        session.execute(delete(Interaction))
        session.execute(delete(Inquiry))
        session.commit()


def test_inquiry_exports_by_stage(w: World) -> None:
    without_demo_inquiries(w)
    sign_in_afresh(w.client)
    csrf = sign_in_afresh(w.client)
    upload_and_confirm(w.client, csrf, "inquiries.csv", "inquiries")
    everything = w.client.get(f"{API}/inquiries/export/csv", headers=w.headers("admin"))
    assert [row[0] for row in csv_rows(everything.content)[1:]] == ["Noël", "Peyré"]
    contacted = w.client.get(f"{API}/inquiries/export/xlsx?stage=contacted",
                             headers=w.headers("reader_gers"))
    rows = xlsx_rows(contacted.content)
    assert [row[0] for row in rows[1:]] == ["Noël"]
    assert rows[0][rows[0].index("Étape")] == "Étape"


def test_formulas_are_escaped_and_the_export_imports_back_unchanged(w: World) -> None:
    with Session(w.instance.engine) as session:
        gers = session.exec(select(Region).where(Region.slug == "gers")).one()
        assert gers.id is not None
        session.add(Member(region_id=gers.id, first_name="@SUM(A1)", last_name="-2+3",
                           email="formula@example.org", phone="+33 5 62 00 00 00",
                           business_name='=HYPERLINK("http://evil.example","x")',
                           commune="Auch", sector_slug="other", status="settled"))
        session.commit()
    headers = w.headers("staff_gers")
    rows = csv_rows(w.client.get(f"{API}/members/export/csv", headers=headers).content)
    evil = next(row for row in rows if row[2] == "formula@example.org")
    assert evil[:5] == ["'-2+3", "'@SUM(A1)", "formula@example.org",
                        "'+33 5 62 00 00 00", "'=HYPERLINK(\"http://evil.example\",\"x\")"]
    workbook = load_workbook(io.BytesIO(w.client.get(f"{API}/members/export/xlsx",
                                                     headers=headers).content))
    cells = [cell for row in workbook.active.iter_rows() for cell in row]
    assert not [cell for cell in cells if cell.data_type == "f"]  # no formula at all
    business = next(c.value for c in cells if str(c.value).endswith('"x")'))
    assert business == "'=HYPERLINK(\"http://evil.example\",\"x\")"

    csrf = sign_in_afresh(w.client)
    exported = w.client.post("/gers/staff/export/members", data={"csrf": csrf, "format": "csv"})
    total = len(csv_rows(exported.content)) - 1
    report = upload_and_confirm(w.client, csrf, "export.csv", "members", exported.content)
    assert f"{total} lignes lues\u00a0: 0 créées, 0 mises à jour, {total} inchangées." in report
    with Session(w.instance.engine) as session:
        member = session.exec(select(Member).where(
            Member.email == "formula@example.org")).one()
    assert (member.last_name, member.business_name, member.version) == (
        "-2+3", '=HYPERLINK("http://evil.example","x")', 1)


def test_exports_are_audited_and_read_only_staff_export_but_do_not_import(w: World) -> None:
    assert w.client.get(f"{API}/members/export/csv?sector=other",
                        headers=w.headers("reader_gers")).status_code == 200
    assert w.client.get(f"{API}/members/export/csv",
                        headers=w.headers("staff_orne")).status_code == 403
    exported = events(w, "export")
    assert len(exported) == 1
    assert (exported[0].actor_email, exported[0].region_slug, exported[0].target) == (
        EMAILS["reader_gers"], "gers", "members")
    assert exported[0].detail["format"] == "csv" and exported[0].detail["filters"] == ["sector"]
    assert exported[0].detail["count"] == len(listed_emails(w, sector="other"))

    csrf = sign_in_afresh(w.client, "reader_gers")
    page = w.client.post("/gers/staff/export/members",
                         data={"csrf": csrf, "format": "xlsx", "status": "left"})
    assert page.status_code == 200 and len(xlsx_rows(page.content)) - 1 == events(
        w, "export")[-1].detail["count"] == len(listed_emails(w, status="left"))
    page_for_reader = w.client.get("/gers/staff/import")
    assert page_for_reader.status_code == 200 and "multipart" not in page_for_reader.text
    assert "/gers/staff/export/inquiries" in page_for_reader.text
    refused = w.client.post("/gers/staff/import", data={"csrf": csrf, "kind": "members"},
                            files={"file": ("m.csv", (DATA / "members.csv").read_bytes())})
    assert refused.status_code == 403
    with Session(w.instance.engine) as session:
        assert session.exec(select(SheetUpload)).all() == []
        assert session.exec(select(Member).where(Member.last_name == "Lacoste")).all() == []


def test_the_import_pages_from_upload_to_report(w: World) -> None:
    csrf = sign_in_afresh(w.client)
    page = w.client.get("/gers/staff/import")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    assert page.headers["cache-control"] == "no-store"

    bad = upload(w.client, csrf, "members_bad.csv")
    fields = chosen_fields(bad.text)
    assert fields == ["last_name", "first_name", "email", "phone", "siret", "naf_code",
                      "commune", "arrival_date", "status"]
    token = TOKEN.search(bad.text).group(1)  # type: ignore[union-attr]
    form = {"csrf": csrf, "token": token, "field": fields}
    report = w.client.post("/gers/staff/import/preview", data=form)
    assert "Ligne 5, colonne «\u00a0SIRET\u00a0»" in report.text
    assert "1 ligne refusée" in report.text and "import/confirm" not in report.text
    forced = w.client.post("/gers/staff/import/confirm", data=form)  # no button, still refused
    assert forced.status_code == 422 and "1 ligne refusée" in forced.text

    wrong = w.client.post("/gers/staff/import/preview",
                          data={**form, "field": ["-", *fields[1:]]})
    assert wrong.status_code == 422 and "Aucune colonne ne va dans le champ obligatoire" in \
        wrong.text
    back = w.client.post("/gers/staff/import/mapping", data={**form, "field": ["-", *fields[1:]]})
    assert chosen_fields(back.text)[0] == "-"
    cancel = w.client.post("/gers/staff/import/cancel", data=form, follow_redirects=False)
    assert cancel.status_code == 303
    assert w.client.post("/gers/staff/import/preview", data=form).status_code == 404

    notes = upload(w.client, csrf, "members.xlsx")  # the first sheet: a note, no rows
    assert "0 ligne à importer." in notes.text and "Synthetic sample" in notes.text
    missing = upload(w.client, csrf, "members.xlsx", sheet="Members")
    assert missing.status_code == 422
    assert "Il n’y a pas de feuille «\u00a0Members\u00a0»" in missing.text
    mapping = upload(w.client, csrf, "members.xlsx", sheet="Membres")
    form = {"csrf": csrf, "token": TOKEN.search(mapping.text).group(1),  # type: ignore[union-attr]
            "field": chosen_fields(mapping.text)}
    preview = w.client.post("/gers/staff/import/preview", data=form)
    assert "Essai à blanc, rien n’a été écrit. 3 lignes lues\u00a0: 3 créées" in preview.text
    done = w.client.post("/gers/staff/import/confirm", data=form)
    assert "3 lignes lues\u00a0: 3 créées, 0 mises à jour, 0 inchangées." in done.text
    assert w.client.post("/gers/staff/import/confirm", data=form).status_code == 404
    with Session(w.instance.engine) as session:
        left = session.exec(select(SheetUpload)).all()  # the confirmed file is gone; the
        assert [u.sheet_name for u in left] == [None]  # abandoned one expires (test below)
        imported = session.exec(select(Member).where(col(Member.email).in_(
            ["louis.abadie@example.org", "chloe.barthe@example.org",
             "paul.castex@example.org"]))).all()
    assert len(imported) == 3
    audited = events(w, "import")
    assert [(e.actor_email, e.target, e.detail["created"], e.detail["file"]) for e in audited] \
        == [(EMAILS["staff_gers"], "members", 3, "members.xlsx")]


def test_an_upload_belongs_to_its_session_and_expires(w: World) -> None:
    csrf = sign_in_afresh(w.client)
    mapping = upload(w.client, csrf, "members.csv")
    token = TOKEN.search(mapping.text).group(1)  # type: ignore[union-attr]
    fields = chosen_fields(mapping.text)
    other = TestClient(w.client.app)
    other_csrf = sign_in_afresh(other)  # the same person, another session
    stolen = other.post("/gers/staff/import/preview",
                        data={"csrf": other_csrf, "token": token, "field": fields})
    assert stolen.status_code == 404
    admin_csrf = sign_in_afresh(other, "admin")
    assert other.post("/gers/staff/import/confirm", data={
        "csrf": admin_csrf, "token": token, "field": fields}).status_code == 404
    with Session(w.instance.engine) as session:
        kept = session.exec(select(SheetUpload)).one()
        assert kept.token_digest != token and token.encode() not in kept.content
        kept.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        session.add(kept)
        session.commit()
    assert w.client.post("/gers/staff/import/preview", data={
        "csrf": csrf, "token": token, "field": fields}).status_code == 404
    assert w.client.get("/gers/staff/import").status_code == 200  # sweeps expired uploads
    with Session(w.instance.engine) as session:
        assert session.exec(select(SheetUpload)).all() == []


@pytest.mark.parametrize(("name", "content", "message"), [
    ("m.csv", "Nom;Prénom\nA;B\n".encode("utf-16"), "UTF-16"),
    ("m.xlsm", b"PK\x03\x04", "macros"),
    ("m.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 64, ".xls"),
])
def test_refused_files_are_explained_on_the_page(w: World, name: str, content: bytes,
                                                 message: str) -> None:
    csrf = sign_in_afresh(w.client)
    refused = upload(w.client, csrf, name, content=content)
    assert refused.status_code == 422 and message in refused.text
    with Session(w.instance.engine) as session:
        assert session.exec(select(SheetUpload)).all() == []


def test_inquiries_import_on_the_page(w: World) -> None:
    without_demo_inquiries(w)
    csrf = sign_in_afresh(w.client)
    report = upload_and_confirm(w.client, csrf, "inquiries.csv", "inquiries")
    assert "2 lignes lues\u00a0: 2 créées" in report
    with Session(w.instance.engine) as session:
        assert {i.source for i in session.exec(select(Inquiry))} == {"import"}
