"""Spreadsheets under pressure, on SQLite and PostgreSQL: an upload past the limit is refused
while it arrives (413, never read whole); an export that finds no free database connection
answers 503 with ``Retry-After``, not 500; a confirmation that finds another import of the
region in progress for too long writes nothing and offers to confirm again (409)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from accounts_kit import World, sign_in_afresh
from sheets_kit import DATA, TOKEN, chosen_fields, upload
from sqlalchemy import Engine, create_engine
from sqlmodel import Session, select

from campagne.db import normalise_url
from campagne.features.spreadsheets import import_lock
from campagne.features.spreadsheets.importer import region_by_slug
from campagne.features.spreadsheets.models import SheetUpload
from campagne.features.spreadsheets.reading import LIMITS
from campagne.models import Member
from campagne.web.capped_upload import CAP

API = "/api/v1/regions/gers"
CHUNK = 64 * 1024


def test_an_upload_past_the_limit_is_refused_with_a_message(w: World) -> None:
    csrf = sign_in_afresh(w.client)
    content = (DATA / "members.csv").read_bytes().ljust(LIMITS.max_bytes + 1, b"\n")
    assert len(content) < CAP  # the form's cap leaves room for its other fields
    refused = upload(w.client, csrf, "big.csv", content=content + b"x" * CAP)
    assert refused.status_code == 413
    assert "Le fichier dépasse 5 Mo\u00a0: découpez-le" in refused.text
    near = upload(w.client, csrf, "big.csv", content=content)  # under the cap: the reader's
    assert near.status_code == 422 and "Le fichier dépasse 5" in near.text
    with Session(w.instance.engine) as session:
        assert session.exec(select(SheetUpload)).all() == []


def test_the_row_limit_is_the_instances_setting_at_each_step(w: World) -> None:
    w.instance.settings = w.instance.settings.model_copy(update={"sheet_max_rows": 4})
    csrf = sign_in_afresh(w.client)
    refused = upload(w.client, csrf, "members.csv")  # 5 rows
    assert refused.status_code == 422
    assert "Le fichier a plus de 4 lignes\u00a0: découpez-le" in refused.text
    w.instance.settings = w.instance.settings.model_copy(update={"sheet_max_rows": 5})
    mapping = upload(w.client, csrf, "members.csv")
    token = TOKEN.search(mapping.text)
    assert mapping.status_code == 200 and token
    form = {"csrf": csrf, "token": token.group(1), "field": chosen_fields(mapping.text)}
    w.instance.settings = w.instance.settings.model_copy(update={"sheet_max_rows": 4})
    lowered = w.client.post("/gers/staff/import/confirm", data=form)  # read again: refused
    assert lowered.status_code == 422 and "plus de 4 lignes" in lowered.text
    with Session(w.instance.engine) as session:
        assert session.exec(select(Member).where(Member.last_name == "Lacoste")).all() == []


def test_a_streamed_upload_is_not_read_past_the_cap(w: World) -> None:
    """Without a declared length, the body is read only until the count passes the cap."""
    offered = 4 * CAP // CHUNK
    pulled: list[int] = []
    sent: list[dict[str, Any]] = []

    head = (b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\n")

    async def receive() -> dict[str, Any]:
        body = (head if not pulled else b"") + b"x" * CHUNK
        pulled.append(len(body))
        return {"type": "http.request", "body": body, "more_body": len(pulled) < offered}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/gers/staff/import",
             "raw_path": b"/gers/staff/import", "root_path": "", "query_string": b"",
             "headers": [(b"host", b"testserver"),
                         (b"content-type", b"multipart/form-data; boundary=xyz")],
             "client": ("127.0.0.1", 50000), "server": ("testserver", 80)}
    asyncio.run(w.client.app(scope, receive, send))  # type: ignore[arg-type]
    start = next(message for message in sent if message["type"] == "http.response.start")
    assert start["status"] == 413
    assert CAP < sum(pulled) <= CAP + 2 * CHUNK < offered * CHUNK // 2


def small_pool(w: World) -> Engine:
    """One connection, given up after a tenth of a second, for the app's requests."""
    url = w.instance.engine.url.render_as_string(hide_password=False)
    options: dict[str, Any] = {"connect_args": {"check_same_thread": False}} \
        if url.startswith("sqlite") else {}
    engine = create_engine(normalise_url(url), pool_size=1, max_overflow=0, pool_timeout=0.1,
                           **options)
    w.instance.engine = engine
    return engine


def test_no_free_connection_is_a_503_with_retry_after(w: World) -> None:
    headers = w.headers("staff_gers")
    csrf = sign_in_afresh(w.client)
    engine = small_pool(w)
    try:
        with engine.connect():  # the pool's only connection, taken for the whole request
            api = w.client.get(f"{API}/members/export/csv", headers=headers)
            page = w.client.post("/gers/staff/export/members",
                                 data={"csrf": csrf, "format": "xlsx"})
        assert api.status_code == 503 and api.headers["retry-after"] == "5"
        assert api.json() == {"detail": "Le service est occupé\u00a0: réessayez dans "
                                         "quelques secondes."}
        assert page.status_code == 503 and page.headers["retry-after"] == "5"
        assert "Le service est occupé" in page.text
        assert w.client.get(f"{API}/members/export/csv", headers=headers).status_code == 200
    finally:
        engine.dispose()


def test_a_confirmation_while_another_import_keeps_the_region(
        w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_lock, "WAIT_SECONDS", 0.0)
    csrf = sign_in_afresh(w.client)
    mapping = upload(w.client, csrf, "members.csv")
    token = TOKEN.search(mapping.text)
    assert token
    form = {"csrf": csrf, "token": token.group(1), "field": chosen_fields(mapping.text)}
    with Session(w.instance.engine) as other:  # an import of the Gers that has not ended
        gers = region_by_slug(other, "gers")
        assert gers is not None and gers.id is not None
        import_lock.hold_import_lock(other, gers.id)
        busy = w.client.post("/gers/staff/import/confirm", data=form)
        other.rollback()
    assert busy.status_code == 409
    assert "Un autre import vers cette région est en cours d’écriture" in busy.text
    assert "import/confirm" in busy.text  # confirm again, the file is kept
    done = w.client.post("/gers/staff/import/confirm", data=form)
    assert done.status_code == 200 and "5 créées" in done.text
    with Session(w.instance.engine) as session:
        assert len(session.exec(select(Member).where(Member.last_name == "Lacoste")).all()) == 1
