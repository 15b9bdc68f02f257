"""Indicators of day-to-day operations computed by hand on a small fixture: inquiries
received and converted, median days to settle, meetups held, attendance and its rate, desk
occupancy, milestones reached; then disclosure control at the default threshold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from campagne.features.followup.models import Milestone
from campagne.features.meetups.models import Meetup, Registration
from campagne.features.spaces.models import Booking, Space
from campagne.features.statistics.engine import StatsOptions, compute_stats
from campagne.gdpr import erase_member
from campagne.instance import Instance
from campagne.models import Member, Region
from campagne.operations.models import Inquiry
from campagne.stats.operations import weekdays
from campagne.stats.period import Period
from campagne.stats.schema import StatsV1
from campagne.testing import RegionKit, minimal_region

YEAR_2024 = Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))
EXACT = StatsOptions(threshold=1)  # nothing is withheld: the figures as computed


def at(day: str, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A UTC timestamp on ``day``."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute),
                               tzinfo=dt.UTC)


def _member(session: Session, region_id: int, name: str, status: str = "settled") -> int:
    member = Member(region_id=region_id, first_name=name, last_name="Test",
                    sector_slug="other", status=status, synthetic=True)
    session.add(member)
    session.flush()
    assert member.id is not None
    return member.id


def _inquiry(session: Session, region_id: int, created: dt.datetime,
             member: int | None = None, settled: dt.datetime | None = None,
             erased: bool = False) -> None:
    session.add(Inquiry(region_id=region_id, first_name="Q", last_name="Test",
                        created_at=created, member_id=member, settled_at=settled,
                        erased_at=at("2025-01-01") if erased else None))


def _meetup(session: Session, region_id: int, uid: str, starts: dt.datetime,
            signups: list[tuple[int | None, str, bool | None]],
            cancelled: bool = False) -> None:
    meetup = Meetup(region_id=region_id, uid=uid, title="Club", starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=2), place="CCI", capacity=30,
                    cancelled_at=starts if cancelled else None)
    session.add(meetup)
    session.flush()
    assert meetup.id is not None
    for member, status, attended in signups:
        session.add(Registration(meetup_id=meetup.id, member_id=member, status=status,
                                 attended=attended, guest_name=None if member else "Zoé"))


def _space(session: Session, region_id: int, seats: int, active: bool = True) -> int:
    space = Space(region_id=region_id, name="Tiers-lieu", commune="Cahors", seats=seats,
                  active=active)
    session.add(space)
    session.flush()
    assert space.id is not None
    return space.id


def _fill(session: Session, lot: int, cantal: int) -> None:
    a, b, c = (_member(session, lot, n) for n in ("A", "B", "C"))
    left = _member(session, lot, "L", status="left")
    prospect = _member(session, lot, "P", status="prospect")
    elsewhere = _member(session, cantal, "X")
    # Inquiries: received in 2024 = 9, converted in 2024 = 5 (10, 20, 30, 45, 100 days).
    _inquiry(session, lot, at("2024-01-10"), a, at("2024-01-20", 9))
    _inquiry(session, lot, at("2024-02-01"), b, at("2024-02-21", 23))
    _inquiry(session, lot, at("2023-12-15"), c, at("2024-01-14"))  # received in 2023
    _inquiry(session, lot, at("2024-03-01"), left, at("2024-04-15"))
    _inquiry(session, lot, at("2024-05-01"), a, at("2024-08-09"))
    _inquiry(session, lot, at("2024-06-01"), None, at("2024-07-01"))  # no member: not converted
    _inquiry(session, lot, at("2024-09-01"), b, at("2025-01-05"))  # settled in 2025
    _inquiry(session, lot, at("2024-10-01"))
    _inquiry(session, lot, at("2024-11-01"), erased=True)  # erased: still counted
    _inquiry(session, lot, at("2024-12-31", 23, 30))
    _inquiry(session, lot, at("2025-01-01", 0, 0))
    _inquiry(session, cantal, at("2024-05-05"), elsewhere, at("2024-05-06"))
    # Meetups held in 2024: 3. Attended: A, B, C. Rate: 5 of 8 expected.
    confirmed, waitlisted, cancelled = "confirmed", "waitlisted", "cancelled"
    _meetup(session, lot, "m1", at("2024-03-14", 18), [
        (a, confirmed, True), (b, confirmed, True), (c, confirmed, True),
        (left, confirmed, False), (prospect, confirmed, None), (None, confirmed, True),
        (elsewhere, waitlisted, None), (elsewhere, cancelled, None)])
    _meetup(session, lot, "m2", at("2024-06-13", 18), [(a, confirmed, True),
                                                       (b, confirmed, None)])
    _meetup(session, lot, "m3", at("2024-09-12", 18), [(a, confirmed, None),
                                                       (b, confirmed, None)])
    _meetup(session, lot, "m4", at("2024-10-10", 18), [(left, confirmed, True)],
            cancelled=True)
    _meetup(session, lot, "m5", at("2023-12-14", 18), [(left, confirmed, True)])
    _meetup(session, cantal, "m6", at("2024-04-11", 18), [(elsewhere, confirmed, True)])
    # Desks: two active one-seat spaces; 524 of 1,048 half-days booked in 2024.
    mornings, days, other = _space(session, lot, 1), _space(session, lot, 1), _space(
        session, lot, 5, active=False)
    day, weekday_index = dt.date(2024, 1, 1), 0
    while day.year == 2024:
        if day.weekday() < 5:
            session.add(Booking(space_id=mornings, day=day, slot="morning",
                                member_id=(a, b, c)[weekday_index % 3]))
            if weekday_index < 131:
                session.add(Booking(space_id=days, day=day, slot="day", member_id=a))
            weekday_index += 1
        day += dt.timedelta(days=1)
    session.add(Booking(space_id=days, day=dt.date(2024, 3, 9), slot="day", member_id=b))
    session.add(Booking(space_id=days, day=dt.date(2024, 12, 2), slot="afternoon",
                        member_id=b, cancelled_at=at("2024-11-30")))
    session.add(Booking(space_id=days, day=dt.date(2025, 1, 6), slot="day", member_id=b))
    session.add(Booking(space_id=other, day=dt.date(2023, 6, 1), slot="day", member_id=c))
    session.add(Booking(space_id=_space(session, cantal, 1), day=dt.date(2024, 2, 5),
                        slot="day", member_id=elsewhere))
    # Milestones in 2024 of members in the programme: business plan 3, financing 1,
    # workspace 0, business registered 1.
    for member, kind, day_text in (
            (a, "business_plan", "2024-02-01"), (a, "financing", "2024-05-01"),
            (a, "workspace_found", "2023-11-01"), (b, "business_plan", "2024-03-01"),
            (b, "business_registered", "2024-12-31"), (left, "business_plan", "2024-01-01"),
            (prospect, "business_plan", "2024-06-01"),
            (elsewhere, "business_plan", "2024-06-01")):
        session.add(Milestone(member_id=member, kind=kind,
                              reached_on=dt.date.fromisoformat(day_text)))


@pytest.fixture
def instance(tmp_path: Path, database_url: str) -> Iterator[Instance]:
    kit = RegionKit(tmp_path, database_url)
    built = kit.instance([kit.region("lot"), kit.region(
        "cantal", config=minimal_region("cantal", "15"), code="15")])
    with Session(built.engine) as session:
        ids = {r.slug: r.id for r in session.exec(select(Region))}
        _fill(session, ids["lot"] or 0, ids["cantal"] or 0)
        session.commit()
    yield built
    built.engine.dispose()


def _stats(instance: Instance, period: Period = YEAR_2024,
           options: StatsOptions | None = None) -> StatsV1:
    with Session(instance.engine) as session:
        return compute_stats(session, instance.regions["lot"], instance.plugins, period,
                             options)


def test_weekdays_of_2024() -> None:
    assert weekdays(dt.date(2024, 1, 1), dt.date(2024, 12, 31)) == 262
    assert weekdays(dt.date(2024, 3, 9), dt.date(2024, 3, 10)) == 0  # a weekend
    assert weekdays(dt.date(2024, 3, 8), dt.date(2024, 3, 11)) == 2
    assert weekdays(dt.date(2024, 3, 8), dt.date(2024, 3, 7)) == 0


def test_weekdays_a_space_opens() -> None:
    year = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))  # from a Monday; 2024 has 366 days
    assert weekdays(*year, "1234567") == weekdays(*year) == 262  # weekends are never counted
    assert weekdays(*year, "135") == 53 + 52 + 52
    assert weekdays(*year, "67") == 0
    assert weekdays(dt.date(2024, 3, 8), dt.date(2024, 3, 11), "5") == 1


def test_desk_occupancy_offers_only_the_days_spaces_open(instance: Instance) -> None:
    with Session(instance.engine) as session:
        lot = session.exec(select(Region).where(Region.slug == "lot")).one()
        spaces = session.exec(select(Space).where(Space.region_id == lot.id)).all()
        for space in spaces:
            space.opening_days = "12345"
        session.commit()
        assert _stats(instance, options=EXACT).indicators.desk_occupancy.value == 0.5
        seats = sum(space.seats for space in spaces if space.active)
        for space in spaces:
            space.opening_days = "135"
        session.commit()
    assert _stats(instance, options=EXACT).indicators.desk_occupancy.value == round(
        min(1.0, (262 + 131 * 2) / (2 * seats * (53 + 52 + 52))), 3)


def test_figures_by_hand(instance: Instance) -> None:
    figures = _stats(instance, options=EXACT).indicators
    assert figures.inquiries_received.value == 9
    assert figures.inquiries_converted.value == 5
    assert figures.median_days_inquiry_to_settlement.value == 30.0
    assert figures.meetups_held.value == 3
    assert figures.meetup_attendance.value == 3, "members only, each once"
    assert figures.meetup_attendance_rate.value == 0.625
    assert figures.desk_occupancy.value == 0.5, "(262 + 131 x 2) / (2 x 262 x 2)"
    assert {c.key: c.value for c in figures.milestones_reached.cells} == {
        "business_plan": 3, "financing": 1, "workspace_found": 0, "business_registered": 1}
    assert figures.milestones_reached.total is None
    for name in ("inquiries_received", "median_days_inquiry_to_settlement",
                 "desk_occupancy", "meetup_attendance_rate"):
        item = getattr(figures, name)
        assert item.available and not item.suppressed, name


def test_since_the_first_record(instance: Instance) -> None:
    figures = _stats(instance, Period(None, dt.date(2024, 12, 31)), EXACT).indicators
    assert figures.inquiries_received.value == 10, "with the one of December 2023"
    assert figures.meetups_held.value == 4
    # The window starts on the first day booked in an active space (1 January 2024).
    assert figures.desk_occupancy.value == 0.5


def test_even_median_and_a_later_year(instance: Instance) -> None:
    with Session(instance.engine) as session:
        lot = session.exec(select(Region).where(Region.slug == "lot")).one()
        _inquiry(session, lot.id or 0, at("2025-01-01"),
                 session.exec(select(Member.id)).first(), at("2025-01-14"))
        session.commit()
    figures = _stats(instance, Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
                     EXACT).indicators
    assert figures.inquiries_converted.value == 2
    assert figures.median_days_inquiry_to_settlement.value == 69.5, "median of 13 and 126"
    assert figures.inquiries_received.value == 2
    assert figures.meetups_held.value == 0
    assert figures.meetup_attendance_rate.available is False, "no attendance taken"
    assert figures.desk_occupancy.value == round(2 / (2 * weekdays(
        dt.date(2025, 1, 1), dt.date(2025, 12, 31)) * 2), 3)


def test_nothing_to_compute_is_unavailable(tmp_path: Path) -> None:
    kit = RegionKit(tmp_path)
    empty = kit.instance([kit.region("lot")])
    with Session(empty.engine) as session:
        stats = compute_stats(session, empty.regions["lot"], empty.plugins, YEAR_2024)
    figures = stats.indicators
    assert figures.inquiries_received.value == 0 and figures.inquiries_received.available
    assert figures.median_days_inquiry_to_settlement.available is False
    assert figures.desk_occupancy.available is False, "no space"
    assert figures.meetup_attendance_rate.available is False
    assert figures.meetups_held.value == 0
    assert [c.value for c in figures.milestones_reached.cells] == [0, 0, 0, 0]
    empty.engine.dispose()


def test_default_threshold_withholds_small_figures(instance: Instance) -> None:
    figures = _stats(instance).indicators
    for name in ("inquiries_received", "inquiries_converted", "meetup_attendance"):
        item = getattr(figures, name)
        assert item.value is None and item.suppressed, name
    for name in ("median_days_inquiry_to_settlement", "meetup_attendance_rate",
                 "desk_occupancy"):
        item = getattr(figures, name)
        assert item.value is None and item.suppressed and item.available, name
    cells = {c.key: (c.value, c.suppressed) for c in figures.milestones_reached.cells}
    assert cells["workspace_found"] == (0, False), "zero describes nobody"
    assert all(cells[k] == (None, True) for k in ("business_plan", "financing",
                                                  "business_registered"))
    assert figures.meetups_held.value == 3, "meetups are public events, not people"


def test_shares_need_enough_people_on_both_sides(instance: Instance) -> None:
    figures = _stats(instance, options=StatsOptions(threshold=4)).indicators
    # 5 attended of 8 expected: the 3 absent are too few, so the rate is withheld.
    assert figures.meetup_attendance_rate.suppressed
    assert figures.inquiries_converted.value == 5
    assert figures.median_days_inquiry_to_settlement.value == 30.0
    # Three people booked desks: fewer than four.
    assert figures.desk_occupancy.suppressed and figures.desk_occupancy.value is None


def test_secondary_suppression_still_holds(instance: Instance) -> None:
    threshold = 3
    with Session(instance.engine) as session:
        lot = session.exec(select(Region).where(Region.slug == "lot")).one()
        for index in range(10):
            session.add(Member(region_id=lot.id or 0, first_name="S", last_name=str(index),
                               sector_slug="it_internet_ecommerce", status="settled"))
        session.add(Member(region_id=lot.id or 0, first_name="T", last_name="1",
                           sector_slug="tourism_hospitality", status="settled"))
        session.commit()
    stats = _stats(instance, options=StatsOptions(threshold=threshold))
    sectors = stats.indicators.members_by_sector
    hidden = [cell for cell in sectors.cells if cell.suppressed]
    published = sum(cell.value or 0 for cell in sectors.cells if not cell.suppressed)
    assert sectors.total is not None and len(hidden) >= 2
    assert sectors.total - published >= threshold, "a group, never one small cell"
    assert stats.indicators.milestones_reached.total is None, "no total to subtract from"
    assert stats.indicators.services_used.total is None


def test_erasure_changes_no_figure(instance: Instance) -> None:
    before = _stats(instance, options=EXACT).indicators
    with Session(instance.engine) as session:
        for member in session.exec(select(Member).where(col(Member.first_name).in_(("A", "B")))):
            erase_member(session, member, instance)
        session.commit()
    after = _stats(instance, options=EXACT).indicators
    assert after == before


def test_other_regions_rows_are_not_counted(instance: Instance) -> None:
    with Session(instance.engine) as session:
        cantal = compute_stats(session, instance.regions["cantal"], instance.plugins,
                               YEAR_2024, EXACT).indicators
    assert cantal.inquiries_received.value == 1 and cantal.inquiries_converted.value == 1
    assert cantal.meetups_held.value == 1 and cantal.meetup_attendance.value == 1
    assert cantal.desk_occupancy.value == round(2 / (2 * 262), 3)
    assert {c.key: c.value for c in cantal.milestones_reached.cells}["business_plan"] == 1
