"""Who a newsletter goes to: only people who consented and did not withdraw, never an
erased member nor an anonymised inquiry; members, prospects, meetup participants, a sector,
a commune; one copy per address."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from accounts_kit import World, world
from inquiry_kit import new_inquiry
from newsletters_kit import region_id, subscribe
from sqlmodel import Session

from campagne.features.meetups.models import Meetup, Registration
from campagne.features.newsletters.consent import withdraw
from campagne.features.newsletters.models import Segment
from campagne.features.newsletters.segments import Choice, parse_choice, recipients
from campagne.models import Member, utc_now
from campagne.operations.inquiry_privacy import anonymise_inquiry
from campagne.operations.models import Inquiry

IT = "it_internet_ecommerce"
CONSULTING = "audit_consulting_training"


def member(w: World, email: str, *, sector: str = IT, commune: str | None = None,
           slug: str = "gers") -> int:
    """A member of region ``slug``; their id."""
    with Session(w.instance.engine) as session:
        row = Member(region_id=region_id(w, slug), first_name="Alix", last_name="Essai",
                     email=email, sector_slug=sector, commune=commune)
        session.add(row)
        session.commit()
        assert row.id is not None
        return row.id


def addresses(w: World, choice: Choice, slug: str = "gers") -> list[str]:
    """The addresses of ``choice`` in region ``slug``."""
    with Session(w.instance.engine) as session:
        return [r.email for r in recipients(session, region_id(w, slug), choice)]


def test_withdrawn_consent_is_never_in_a_segment(tmp_path: Path) -> None:
    with world(tmp_path) as w:
        kept = subscribe(w, member_id=member(w, "garde@example.org", commune="Auch"))
        left = subscribe(w, member_id=member(w, "parti@example.org", commune="Auch"))
        prospect = subscribe(w, inquiry_id=new_inquiry(w, email="prospect@example.org"))
        with Session(w.instance.engine) as session:
            assert withdraw(session, left, utc_now())
            assert not withdraw(session, left, utc_now())  # already: nothing changes
            assert withdraw(session, prospect, utc_now())
            session.commit()
        for choice in (Choice(Segment.MEMBERS), Choice(Segment.PROSPECTS),
                       Choice(Segment.SECTOR, IT), Choice(Segment.COMMUNE, "auch")):
            found = addresses(w, choice)
            assert "parti@example.org" not in found and "prospect@example.org" not in found
        assert addresses(w, Choice(Segment.MEMBERS)) == ["garde@example.org"]
        assert kept


def test_erased_members_and_anonymised_inquiries_are_left_out(tmp_path: Path) -> None:
    with world(tmp_path) as w:
        erased = member(w, "efface@example.org")
        subscribe(w, member_id=erased)
        inquiry = new_inquiry(w, email="anonyme@example.org")
        subscribe(w, inquiry_id=inquiry)
        with Session(w.instance.engine) as session:
            row = session.get(Member, erased)
            assert row is not None
            row.erased_at = utc_now()
            found = session.get(Inquiry, inquiry)
            assert found is not None
            anonymise_inquiry(session, found)
            session.commit()
        assert addresses(w, Choice(Segment.MEMBERS)) == []
        assert addresses(w, Choice(Segment.PROSPECTS)) == []
        assert addresses(w, Choice(Segment.SECTOR, IT)) == []


def test_sector_commune_and_meetup_segments(tmp_path: Path) -> None:
    with world(tmp_path) as w:
        web = member(w, "web@example.org", sector=IT, commune="Auch")
        adviser = member(w, "conseil@example.org", sector=CONSULTING, commune="Lectoure")
        for person in (web, adviser):
            subscribe(w, member_id=person)
        subscribe(w, inquiry_id=new_inquiry(w, email="conseil.prospect@example.org",
                                            sector_slug=CONSULTING))
        subscribe(w, inquiry_id=new_inquiry(w, email="invitee@example.org"))
        subscribe(w, member_id=member(w, "orne@example.org", sector=IT, commune="Auch",
                                      slug="orne"))
        assert addresses(w, Choice(Segment.SECTOR, CONSULTING)) == [
            "conseil@example.org", "conseil.prospect@example.org"]
        assert addresses(w, Choice(Segment.COMMUNE, " auch ".strip())) == ["web@example.org"]
        assert addresses(w, Choice(Segment.COMMUNE, "Auch"), "orne") == ["orne@example.org"]
        assert addresses(w, Choice(Segment.PROSPECTS)) == [
            "conseil.prospect@example.org", "invitee@example.org"]
        assert addresses(w, Choice(Segment.MEETUPS)) == []
        with Session(w.instance.engine) as session:
            start = utc_now() + dt.timedelta(days=5)
            meetup = Meetup(region_id=region_id(w), uid=f"{uuid.uuid4().hex}@test.invalid",
                            title="Rencontre", starts_at=start,
                            ends_at=start + dt.timedelta(hours=2), place="Auch", capacity=5)
            session.add(meetup)
            session.flush()
            assert meetup.id is not None
            session.add_all([
                Registration(meetup_id=meetup.id, member_id=adviser, status="confirmed"),
                Registration(meetup_id=meetup.id, guest_name="Invitée",
                             guest_email="Invitee@Example.org", status="confirmed"),
                Registration(meetup_id=meetup.id, member_id=web, status="cancelled")])
            session.commit()
        assert addresses(w, Choice(Segment.MEETUPS)) == ["conseil@example.org",
                                                         "invitee@example.org"]


def test_one_copy_per_address(tmp_path: Path) -> None:
    with world(tmp_path) as w:
        person = member(w, "double@example.org")
        subscribe(w, member_id=person)
        subscribe(w, inquiry_id=new_inquiry(w, email="DOUBLE@example.org"))
        assert addresses(w, Choice(Segment.SECTOR, IT)) == ["double@example.org"]


def test_the_form_choice_is_checked() -> None:
    assert parse_choice("members") == Choice(Segment.MEMBERS)
    assert parse_choice("sector", sector=IT) == Choice(Segment.SECTOR, IT)
    assert parse_choice("sector", sector="unknown") is None
    assert parse_choice("commune", commune="  Auch   centre ") == Choice(Segment.COMMUNE,
                                                                        "Auch centre")
    assert parse_choice("commune", commune=" ") is None
    assert parse_choice("everyone") is None
