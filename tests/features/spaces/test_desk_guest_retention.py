"""How long the names of guests on desk bookings are kept (three months after the day, as
for meetup guests), and what ``campagne purge`` clears besides the records: those names,
meetup guests and spreadsheet uploads never confirmed. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from accounts_kit import world
from sqlmodel import Session, select

from campagne.auth.models import UserAccount
from campagne.cli import main
from campagne.features.meetups.privacy import ERASED_GUEST
from campagne.features.spaces.models import Booking, Space
from campagne.features.spaces.occupancy import region_occupancy
from campagne.features.spaces.privacy import forget_past_desk_guests
from campagne.features.spreadsheets.models import SheetUpload
from campagne.models import Member, Region
from campagne.regions import reference_region_paths
from campagne.taxonomy import SECTORS
from campagne.testing import RegionKit

TODAY = dt.date(2026, 12, 6)


def test_guest_names_on_old_bookings_are_blanked_and_the_counts_stay(db_kit: RegionKit) -> None:
    instance = db_kit.instance([db_kit.region("lot")])
    try:
        with Session(instance.engine) as session:
            region = session.exec(select(Region).where(Region.slug == "lot")).one()
            assert region.id is not None
            member = Member(region_id=region.id, first_name="Ada", last_name="Essai",
                            sector_slug=SECTORS[0].slug)
            space = Space(region_id=region.id, name="Tiers-lieu", commune="Cahors", seats=4)
            session.add_all([member, space])
            session.flush()
            assert space.id is not None and member.id is not None
            old, limit, recent = (TODAY - dt.timedelta(days=days) for days in (200, 92, 91))
            session.add_all([
                Booking(space_id=space.id, day=old, slot="day", guest_name="Invitée Ancienne"),
                Booking(space_id=space.id, day=limit, slot="morning", guest_name="Invité Limite"),
                Booking(space_id=space.id, day=recent, slot="day", guest_name="Invité Récent"),
                Booking(space_id=space.id, day=old, slot="afternoon", member_id=member.id),
            ])
            session.commit()
            start = TODAY - dt.timedelta(days=365)
            before = region_occupancy(session, "lot", start, TODAY)

            assert forget_past_desk_guests(session, TODAY) == 2
            session.commit()
            names = {b.day: b.guest_name for b in session.exec(select(Booking)).all()
                     if b.member_id is None}
            assert names == {old: ERASED_GUEST, limit: ERASED_GUEST, recent: "Invité Récent"}
            member_booking = session.exec(select(Booking).where(
                Booking.member_id == member.id)).one()
            assert member_booking.guest_name is None  # members follow their own record
            assert region_occupancy(session, "lot", start, TODAY) == before
            assert forget_past_desk_guests(session, TODAY) == 0  # nothing left to blank
    finally:
        instance.engine.dispose()


def test_purge_clears_old_desk_guests_and_abandoned_uploads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'campagne-demo.db'}"
    with world(tmp_path / "build", url) as w, Session(w.instance.engine) as session:
        region = session.exec(select(Region).where(Region.slug == "gers")).one()
        assert region.id is not None
        space = Space(region_id=region.id, name="Bureau", commune="Auch", seats=2)
        session.add(space)
        session.flush()
        assert space.id is not None
        session.add(Booking(space_id=space.id, day=dt.date(2020, 1, 6), slot="day",
                            guest_name="Invitée d'autrefois"))
        now = dt.datetime.now(dt.UTC)
        staff = session.exec(select(UserAccount)).first()
        assert staff is not None and staff.id is not None
        for minutes, token in ((-5, "a" * 64), (25, "b" * 64)):
            session.add(SheetUpload(token_digest=token, user_id=staff.id, session_id=None,
                                    region_slug="gers", kind="members", filename="x.csv",
                                    content=b"e-mail\n", expires_at=now + dt.timedelta(
                                        minutes=minutes)))
        session.commit()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CAMPAGNE_DATABASE_URL", raising=False)
    assert main(["purge", *map(str, reference_region_paths())]) == 0
    out = capsys.readouterr().out
    assert "1 desk booking guest(s) forgotten." in out
    assert "1 abandoned spreadsheet upload(s) deleted." in out
    with Session(w.instance.engine) as session:
        booking = session.exec(select(Booking).where(Booking.day == dt.date(2020, 1, 6))).one()
        assert booking.guest_name == ERASED_GUEST
        assert [u.token_digest for u in session.exec(select(SheetUpload)).all()] == ["b" * 64]
