"""The statistics engine: a region's indicators for a period, computed from the
database and published only after disclosure control. Nothing here returns a person:
members are read as (sector, origin, dates, status) tuples and counted at once."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select as select_rows  # more than four columns
from sqlmodel import Session, col, select

from campagne.models import Member, MemberStatus, Region, Service, ServiceUse, utc_now
from campagne.plugin_manager import CampagnePluginManager
from campagne.regions import RegionFolder
from campagne.stats import disclosure, operations
from campagne.stats.period import Period
from campagne.stats.schema import (
    Count,
    Disclosure,
    ExtraIndicator,
    Indicators,
    Licence,
    Measure,
    PeriodOut,
    Population,
    RegionRef,
    Retention,
    StatsV1,
)

RETENTION_YEARS = (1, 2, 3)
#: The figures the features give through the hook ``operations_figures``, as published
#: where no enabled feature gives them (the feature is switched off in the region).
NOT_GIVEN: dict[str, Measure | Count] = {
    "meetups_held": Measure(value=None, unit="meetups", available=False),
    "meetup_attendance": Count(value=None, available=False),
    "meetup_attendance_rate": Measure(value=None, unit="share", available=False),
    "desk_occupancy": Measure(value=None, unit="share", available=False),
}
IN_PROGRAMME = operations.IN_PROGRAMME


@dataclass(frozen=True)
class StatsOptions:
    """What the publisher chose: the disclosure threshold and the licence."""

    threshold: int = disclosure.DEFAULT_THRESHOLD
    licence_name: str = "Licence Ouverte / Open Licence 2.0"
    licence_url: str = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


@dataclass(frozen=True)
class _Row:
    sector: str
    origin: str
    arrival: dt.date | None
    left_on: dt.date | None
    status: str
    count: int = 1  # members who share all the values above

    def present_at(self, day: dt.date) -> bool:
        if self.arrival is not None and self.arrival > day:
            return False
        if self.status == MemberStatus.LEFT.value:  # a departure dated ahead has happened
            return self.left_on is not None and day < min(self.left_on, dt.date.today())
        return True

    def stayed(self, years: int) -> bool:
        assert self.arrival is not None
        if self.status != MemberStatus.LEFT.value:
            return True
        return self.left_on is not None and self.left_on > _add_years(self.arrival, years)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _rows(session: Session, region_id: int) -> list[_Row]:
    """The region's members in the programme, grouped by every value the figures use
    (a region of a million members has far fewer distinct combinations)."""
    origin = func.coalesce(Member.origin_area, Member.origin_country, "unknown")
    columns = (col(Member.sector_slug), origin, col(Member.arrival_date), col(Member.left_on))
    rows = []
    for status in IN_PROGRAMME:
        query = (select_rows(*columns, func.count())
                 .where(col(Member.region_id) == region_id, col(Member.status) == status)
                 .group_by(*columns))
        rows += [_Row(sector, str(area), arrival, left_on, status, int(count))
                 for sector, area, arrival, left_on, count in session.execute(query).all()]
    return rows


def _counted(pairs: Iterable[tuple[str, int]]) -> Counter[str]:
    counter: Counter[str] = Counter()
    for key, count in pairs:
        counter[key] += count
    return counter


def _services_used(session: Session, region_id: int, period: Period) -> dict[str, int]:
    query = (select(Service.category, func.count(func.distinct(ServiceUse.member_id)))
             .join(Service, col(Service.id) == col(ServiceUse.service_id))
             .where(Service.region_id == region_id, col(ServiceUse.used_on) <= period.end)
             .group_by(col(Service.category)))
    if period.start is not None:
        query = query.where(col(ServiceUse.used_on) >= period.start)
    return {category: int(count) for category, count in session.exec(query).all()}


def _retention(rows: Iterable[_Row], period: Period, threshold: int) -> list[Retention]:
    shares = []
    for years in RETENTION_YEARS:
        latest = _add_years(period.end, -years)
        cohort = [row for row in rows if row.arrival is not None and row.arrival <= latest
                  and (period.start is None or row.arrival >= period.start)]
        size = sum(row.count for row in cohort)
        stayed = sum(row.count for row in cohort if row.stayed(years))
        hidden = (size < threshold or disclosure.is_sensitive(stayed, threshold)
                  or disclosure.is_sensitive(size - stayed, threshold))
        share = None if hidden or not size else round(stayed / size, 3)
        shares.append(Retention(years=years, share=share, suppressed=hidden and size > 0))
    return shares


def _sorted(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items()))


def compute_stats(session: Session, folder: RegionFolder, plugins: CampagnePluginManager,
                  period: Period, options: StatsOptions | None = None,
                  now: dt.datetime | None = None) -> StatsV1:
    """A region's statistics for ``period``, every count after disclosure control."""
    options = options or StatsOptions()
    threshold = options.threshold
    region = session.exec(select(Region).where(Region.slug == folder.slug)).one()
    assert region.id is not None
    rows = _rows(session, region.id)
    present = [row for row in rows if row.present_at(period.end)]
    arrivals = _counted((str(row.arrival.year), row.count) for row in rows
                        if row.arrival is not None and period.contains(row.arrival))
    used = _services_used(session, region.id, period)
    inquiries = operations.inquiry_figures(session, region.id, period, threshold)
    features = plugins.operations_figures(folder.info(), session, period, threshold,
                                          NOT_GIVEN)
    total = disclosure.protect_count(sum(row.count for row in present), threshold)
    config = folder.config
    population = None
    per_capita = Measure(value=None, unit="per_100k_inhabitants", available=False)
    if config.population is not None:
        source = config.population.source
        population = Population(value=int(config.population.value),
                                source=source.title if source else None,
                                source_url=source.url if source else None,
                                illustrative=config.population.illustrative)
        per_capita = Measure(
            value=None if total.value is None else round(
                total.value * 100_000 / config.population.value, 1),
            unit="per_100k_inhabitants", suppressed=total.suppressed)
    indicators = Indicators(
        members_total=total,
        members_per_100k_inhabitants=per_capita,
        arrivals_by_year=disclosure.protect_table(_sorted(arrivals), threshold, with_total=False),
        members_by_sector=disclosure.protect_table(
            _sorted(_counted((row.sector, row.count) for row in present)), threshold,
            with_total=True),
        members_by_origin=disclosure.protect_table(
            _sorted(_counted((row.origin, row.count) for row in present)), threshold,
            with_total=True),
        services_used=disclosure.protect_table(dict(sorted(used.items())), threshold,
                                               with_total=False),
        retention=_retention(rows, period, threshold),
        inquiries_received=inquiries.received,
        inquiries_converted=inquiries.converted,
        median_days_inquiry_to_settlement=inquiries.median_days,
        milestones_reached=operations.milestones_reached(session, region.id, period, threshold),
        **features,
    )
    return StatsV1(
        region=RegionRef(slug=config.slug, code=config.code, name=config.name),
        period=PeriodOut(start=period.start, end=period.end),
        generated_at=now or utc_now(),
        licence=Licence(name=options.licence_name, url=options.licence_url),
        disclosure=Disclosure(threshold=threshold, rule=disclosure.RULE,
                              source=disclosure.SOURCE),
        population=population, indicators=indicators,
        extra=extra_indicators(plugins, folder, period, threshold))


def extra_indicators(plugins: CampagnePluginManager, folder: RegionFolder, period: Period,
                     threshold: int) -> list[ExtraIndicator]:
    """Plug-ins' indicators; counts of people go through the primary rule."""
    published = []
    for plugin, indicator in plugins.extra_indicators(folder.info(), period):
        value = indicator.value
        hidden = (indicator.counts_people and isinstance(value, int | float)
                  and disclosure.is_sensitive(int(value), threshold))
        published.append(indicator.model_copy(update={
            "plugin": plugin, "value": None if hidden else value,
            "suppressed": hidden or indicator.suppressed}))
    return sorted(published, key=lambda item: (item.plugin, item.key))


def last_change(session: Session, slug: str) -> dt.datetime | None:
    """When a member of the region last changed (for ``Last-Modified``)."""
    latest = session.exec(
        select(func.max(Member.updated_at)).join(Region, col(Region.id) == col(Member.region_id))
        .where(Region.slug == slug)).one()
    if latest is not None and latest.tzinfo is None:
        latest = latest.replace(tzinfo=dt.UTC)
    return latest
