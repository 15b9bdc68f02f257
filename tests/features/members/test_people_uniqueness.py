"""One record per person and region, held by the database (SQLite and PostgreSQL): a member's
e-mail (without case) and SIRET, an imported inquiry's e-mail; erased records and the
inquiries people send themselves never collide; a database that already holds copies is
migrated without failing, and what writes people answers 409, never 500."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from accounts_kit import World, world
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from campagne.db import make_engine, upgrade
from campagne.gdpr import erase_member
from campagne.models import Member, Region, Sector
from campagne.operations.models import Inquiry, InquirySource
from campagne.revisions.tracking import untracked
from campagne.uniqueness import (
    IMPORTED_INQUIRY_EMAIL,
    MEMBER_EMAIL,
    MEMBER_SIRET,
    PersonKey,
    duplicate_of,
)

API = "/api/v1/regions/gers"
SIRET = "73282932000074"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def w(tmp_path: Path, database_url: str) -> Iterator[World]:
    """The reference regions with demo members and one account per role."""
    with world(tmp_path, database_url) as built:
        yield built


def region_ids(session: Session) -> dict[str, int]:
    """Region ids by slug."""
    return {r.slug: r.id for r in session.exec(select(Region)) if r.id is not None}


def member(region_id: int, **fields: Any) -> Member:
    """A member of ``region_id`` with ``fields``."""
    return Member(region_id=region_id, first_name="Ana", last_name="Testa",
                  sector_slug="it_internet_ecommerce", **fields)


def inquiry(region_id: int, source: InquirySource, **fields: Any) -> Inquiry:
    """An inquiry of ``region_id`` that came from ``source``."""
    return Inquiry(region_id=region_id, first_name="Ana", last_name="Testa",
                   source=source.value, **fields)


def refused(session: Session, row: Member | Inquiry) -> PersonKey | None:
    """The index that refuses ``row`` (``None``: stored), the session left usable."""
    session.add(row)
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        return duplicate_of(error)
    return None


def test_the_database_keeps_one_record_per_person_and_region(w: World) -> None:
    with Session(w.instance.engine) as session:
        ids = region_ids(session)
        gers, orne = ids["gers"], ids["orne"]
        assert refused(session, member(gers, email="Ana.Testa@Example.org", siret=SIRET)) is None
        assert refused(session, member(gers, email="ana.testa@example.ORG")) is MEMBER_EMAIL
        assert refused(session, member(gers, email="autre@example.org",
                                       siret=SIRET)) is MEMBER_SIRET
        assert refused(session, member(orne, email="ana.testa@example.org",
                                       siret=SIRET)) is None  # another region
        assert refused(session, member(gers, email=None)) is None
        assert refused(session, member(gers, email=None)) is None

        form = "lea@example.org"  # a person may write twice; an import adds them once
        assert refused(session, inquiry(gers, InquirySource.FORM, email=form)) is None
        assert refused(session, inquiry(gers, InquirySource.API, email=form.upper())) is None
        assert refused(session, inquiry(gers, InquirySource.IMPORT, email=form)) is None
        assert refused(session, inquiry(gers, InquirySource.IMPORT,
                                        email="LEA@example.org")) is IMPORTED_INQUIRY_EMAIL
        assert refused(session, inquiry(orne, InquirySource.IMPORT, email=form)) is None


def test_erased_members_never_collide(w: World) -> None:
    with Session(w.instance.engine) as session:
        gers = region_ids(session)["gers"]
        for _ in range(2):
            first = member(gers, email="parti@example.org", siret=SIRET)
            assert refused(session, first) is None
            erase_member(session, first, w.instance)
            session.commit()
        erased = session.exec(select(Member).where(col(Member.erased_at).is_not(None))).all()
        assert [(m.email, m.siret) for m in erased] == [(None, None), (None, None)]


def _add_copies(database_url: str) -> dict[str, int]:
    """A database at migration 0006 holding copies of members and imported inquiries."""
    engine = make_engine(database_url)
    upgrade(engine, "0006")
    ids: dict[str, int] = {}
    with Session(engine) as session:
        untracked(session.connection())  # written as before the data revisions existed
        session.add(Sector(slug="it_internet_ecommerce", label="IT"))
        session.add(Region(slug="gers", code="32", name="Gers"))
        session.commit()
        untracked(session.connection())
        gers = region_ids(session)["gers"]
        rows = {"first": member(gers, email="Ana@example.org", siret=SIRET),
                "copy": member(gers, email="ana@EXAMPLE.org"),
                "siret_copy": member(gers, siret=SIRET),
                "inquiry": inquiry(gers, InquirySource.IMPORT, email="lea@example.org"),
                "inquiry_copy": inquiry(gers, InquirySource.IMPORT, email="Lea@example.org"),
                "form": inquiry(gers, InquirySource.FORM, email="lea@example.org")}
        for name, row in rows.items():
            session.add(row)
            session.flush()
            assert row.id is not None
            ids[name] = row.id
        session.commit()
    engine.dispose()
    return ids


def test_the_migration_keeps_existing_copies_and_checks_the_rest(
        database_url: str, caplog: pytest.LogCaptureFixture) -> None:
    ids = _add_copies(database_url)
    engine = make_engine(database_url)
    with caplog.at_level(logging.WARNING, logger="campagne.migrations"):
        upgrade(engine)
    warnings = [r.getMessage() for r in caplog.records if r.name == "campagne.migrations"]
    assert len(warnings) == 3
    assert f"gers #{ids['copy']} (like #{ids['first']})" in warnings[0]
    assert f"gers #{ids['siret_copy']} (like #{ids['first']})" in warnings[1]
    assert f"gers #{ids['inquiry_copy']} (like #{ids['inquiry']})" in warnings[2]
    assert "@" not in " ".join(warnings)  # ids, never the addresses
    with Session(engine) as session:
        gers = region_ids(session)["gers"]
        assert len(session.exec(select(Member)).all()) == 3  # nothing deleted or changed
        assert refused(session, member(gers, email="ANA@example.org")) is MEMBER_EMAIL
        assert refused(session, member(gers, siret=SIRET)) is MEMBER_SIRET
        assert refused(session, inquiry(gers, InquirySource.IMPORT,
                                        email="lea@example.org")) is IMPORTED_INQUIRY_EMAIL
        assert refused(session, member(gers, email="new@example.org")) is None
    engine.dispose()


def test_an_address_another_member_has_is_a_409(w: World) -> None:
    staff = {**w.headers("staff_gers"), "Accept-Language": "en"}
    with Session(w.instance.engine) as session:
        first, second = session.exec(select(Member).join(Region).where(
            Region.slug == "gers", col(Member.email).is_not(None), col(Member.siret).is_not(None))
            .order_by(col(Member.id)).limit(2)).all()
    assert first.email and first.siret
    for change in ({"email": first.email.upper()}, {"siret": first.siret}):
        answer = w.client.patch(f"{API}/members/{second.id}", headers=staff,
                                json={"version": second.version, **change})
        assert answer.status_code == 409, answer.text
        assert "already has this" in answer.json()["detail"]
    page = w.client.get(f"{API}/members/{second.id}", headers=staff).json()
    assert (page["email"], page["siret"], page["version"]) == (
        second.email, second.siret, second.version)

    form = CSRF.search(w.client.get("/account/sign-in").text)
    assert form
    w.client.post("/account/sign-in", data={"csrf": form.group(1),
                                            "email": "staff-gers@example.org",
                                            "password": "correct horse battery staple"})
    record = w.client.get(f"/gers/staff/members/{second.id}")
    token = CSRF.search(record.text)
    assert token
    edited = w.client.post(f"/gers/staff/members/{second.id}", data={
        "csrf": token.group(1), "version": second.version, "email": first.email})
    assert edited.status_code == 409
    assert "Un autre membre de cette région a déjà cette adresse électronique." in edited.text


def test_converting_an_inquiry_of_a_member_is_a_409(w: World) -> None:
    with Session(w.instance.engine) as session:
        known = session.exec(select(Member).join(Region).where(
            Region.slug == "gers", col(Member.email).is_not(None))).first()
        assert known is not None and known.email
        row = inquiry(region_ids(session)["gers"], InquirySource.FORM,
                      email=known.email.title(), sector_slug="it_internet_ecommerce")
        session.add(row)
        session.commit()
        inquiry_id = row.id
        members_before = len(session.exec(select(Member)).all())
    answer = w.client.post(f"{API}/inquiries/{inquiry_id}/convert", json={},
                           headers={**w.headers("staff_gers"), "Accept-Language": "en"})
    assert answer.status_code == 409, answer.text
    assert answer.json() == {
        "detail": "Another member of this region already has this e-mail address."}
    with Session(w.instance.engine) as session:
        assert len(session.exec(select(Member)).all()) == members_before
        assert session.get(Inquiry, inquiry_id).member_id is None  # type: ignore[union-attr]
