"""The statistics engine on the demo regions and on hand-made members, and the
``extra_indicators`` hook."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlmodel import Session, select

from campagne.demo import generate_region_demo
from campagne.features.statistics.engine import StatsOptions, compute_stats
from campagne.instance import Instance
from campagne.models import Member, Region
from campagne.regions import reference_region_paths
from campagne.stats.period import Period
from campagne.testing import RegionKit

INDICATORS = '''
from campagne import hookimpl
from campagne.stats.schema import ExtraIndicator

@hookimpl
def extra_indicators(region, period):
    return [
        ExtraIndicator(key="partner_villages", label={"fr": "Villages", "en": "Villages"},
                       value=52, unit="villages", counts_people=False),
        ExtraIndicator(key="club_members", label={"fr": "Membres du club"}, value=4),
        ExtraIndicator(key="end_year", label={"fr": "Fin"}, value=period.end.year,
                       counts_people=False),
    ]
'''
BROKEN = '''
from campagne import hookimpl

@hookimpl
def extra_indicators(region):
    raise RuntimeError("no figures today")
'''


def _add(session: Session, region_id: int, count: int, *, sector: str = "other",
         origin: str = "Île-de-France", arrival: dt.date = dt.date(2015, 3, 1),
         status: str = "settled", left_on: dt.date | None = None) -> None:
    for index in range(count):
        session.add(Member(region_id=region_id, first_name="Test", last_name=f"N{index}",
                           sector_slug=sector, origin_area=origin, arrival_date=arrival,
                           status=status, left_on=left_on, synthetic=True))


def _stats_instance(tmp_path: Path, plugins: dict[str, str] | None = None) -> Instance:
    kit = RegionKit(tmp_path)
    instance = kit.instance([kit.region("lot", plugins=plugins)])
    with Session(instance.engine) as session:
        region = session.exec(select(Region)).one()
        assert region.id is not None
        _add(session, region.id, 30, sector="it_internet_ecommerce")
        _add(session, region.id, 12, sector="other", origin="Belgique",
             arrival=dt.date(2019, 5, 1))
        _add(session, region.id, 3, sector="tourism_hospitality", origin="Pays-Bas")
        _add(session, region.id, 11, sector="other", status="left",
             left_on=dt.date(2016, 1, 10))
        _add(session, region.id, 5, status="prospect")
        session.commit()
    return instance


def test_counts_members_present_at_the_end_of_the_period(tmp_path: Path) -> None:
    instance = _stats_instance(tmp_path)
    with Session(instance.engine) as session:
        stats = compute_stats(session, instance.regions["lot"], instance.plugins,
                              Period.years(None, 2020))
        earlier = compute_stats(session, instance.regions["lot"], instance.plugins,
                                Period.years(2015, 2015))
    indicators = stats.indicators
    assert indicators.members_total.value == 45, "prospects and those who left are not counted"
    sectors = {cell.key: cell.value for cell in indicators.members_by_sector.cells}
    # tourism (3) is suppressed, and the next smallest (other, 12) with it.
    assert sectors == {"it_internet_ecommerce": 30, "other": None, "tourism_hospitality": None}
    assert earlier.indicators.members_total.value == 44, "those who left in 2016 were there"
    arrivals = {cell.key: cell.value for cell in earlier.indicators.arrivals_by_year.cells}
    assert arrivals == {"2015": 44}


def test_retention_share_and_indicators_without_data(tmp_path: Path) -> None:
    instance = _stats_instance(tmp_path)
    with Session(instance.engine) as session:
        stats = compute_stats(session, instance.regions["lot"], instance.plugins,
                              Period.years(None, 2018), StatsOptions(threshold=3))
    retention = {item.years: item.share for item in stats.indicators.retention}
    # 44 arrived in 2015; the 11 who left in January 2016 stayed less than a year.
    assert retention[1] == round(33 / 44, 3)
    assert retention[3] == round(33 / 44, 3)
    for name in ("inquiries_received", "inquiries_converted"):
        assert getattr(stats.indicators, name).value == 0, "no inquiry recorded"
    # Nothing to compute them from: no settlement, no space (test_stats_operations.py).
    for name in ("median_days_inquiry_to_settlement", "desk_occupancy"):
        indicator = getattr(stats.indicators, name)
        assert indicator.available is False and indicator.value is None
    assert stats.disclosure.threshold == 3


def test_no_personal_data_in_the_statistics(tmp_path: Path) -> None:
    instance = _stats_instance(tmp_path)
    with Session(instance.engine) as session:
        stats = compute_stats(session, instance.regions["lot"], instance.plugins,
                              Period.years(None, None))
    text = json.dumps(stats.model_dump(mode="json"))
    for personal in ("Test", "N0", "first_name", "email", "siret"):
        assert personal not in text


def test_hook_extra_indicators(tmp_path: Path) -> None:
    instance = _stats_instance(tmp_path, plugins={"figures.py": INDICATORS,
                                                  "broken.py": BROKEN})
    with Session(instance.engine) as session:
        stats = compute_stats(session, instance.regions["lot"], instance.plugins,
                              Period.years(2010, 2020))
    extra = {item.key: item for item in stats.extra}
    assert extra["partner_villages"].value == 52
    assert extra["partner_villages"].plugin == "lot.figures"
    assert extra["club_members"].value is None and extra["club_members"].suppressed
    assert extra["end_year"].value == 2020, "the hook receives the period"
    failures = instance.plugins.records["lot.broken"].failures
    assert failures and failures[-1].hook == "extra_indicators"


def test_demo_regions_are_computed(tmp_path: Path) -> None:
    instance = RegionKit(tmp_path).instance(reference_region_paths())
    with Session(instance.engine) as session:
        for slug in instance.regions:
            region = session.exec(select(Region).where(Region.slug == slug)).one()
            generate_region_demo(instance, session, region)
        session.commit()
    with Session(instance.engine) as session:
        for slug, folder in instance.regions.items():
            stats = compute_stats(session, folder, instance.plugins, Period.years(None, None))
            assert stats.indicators.members_total.value == {"gers": 350, "orne": 120}[slug]
            assert stats.population is not None
