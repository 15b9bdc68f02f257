"""Aggregate figures read from the database. Nothing here returns a person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, bindparam, case, func, literal
from sqlmodel import Session, col, select

from campagne.driver_statements import DriverStatement
from campagne.models import Member, MemberStatus, Region
from campagne.revisions.cache import network_figure, region_figure

# Members counted in the figures: settling or settled (not those who left, nor prospects
# and candidates turned down, who are kept in the same table).
CURRENT = (MemberStatus.SETTLING.value, MemberStatus.SETTLED.value)


@dataclass(frozen=True)
class MemberFigures:
    """Current members of a region, in total and per sector group; ``synthetic`` of them are
    generated demonstration records (``Member.synthetic``), which the pages must say."""

    total: int
    by_sector: dict[str, int]
    synthetic: int = 0


# Counts the synthetic members among those of each group (CASE gives NULL for the others).
SYNTHETIC_COUNT = func.count(case((col(Member.synthetic).is_(True), 1)))


# Built once: the region's slug is a bound parameter given at each execution, which spares
# rebuilding the statement on every page and API call.
FIGURES_OF_REGION = (
    select(Member.sector_slug, func.count(), SYNTHETIC_COUNT)
    .join(Region, col(Region.id) == col(Member.region_id))
    # Literal statuses: a plain list would be an "expanding" parameter, re-rendered into
    # the SQL text at each execution.
    .where(col(Region.slug) == bindparam("region_slug"),
           col(Member.status).in_([literal(status) for status in CURRENT]))
    .group_by(col(Member.sector_slug))
)


def member_figures(db: Session | Connection, region_slug: str) -> MemberFigures:
    """Count the current members (settling or settled), in total and by sector. ``db`` may be
    a plain connection (cheaper than an ORM session for this one aggregate)."""
    params = {"region_slug": region_slug}
    rows = (db.exec(FIGURES_OF_REGION, params=params) if isinstance(db, Session)
            else db.execute(FIGURES_OF_REGION, params)).all()
    return _figures_of(rows)


# Weak keys: an engine that is no longer used (tests build many) takes its statement along.
_figures_statements: WeakKeyDictionary[Engine, DriverStatement] = WeakKeyDictionary()


def member_figures_quick(engine: Engine, region_slug: str,
                         revision: int | None = None) -> MemberFigures:
    """:func:`member_figures` run on the DB-API cursor, kept in memory while the region's
    records do not change (:mod:`campagne.revisions`): the region's home and API, on every
    view, read one counter instead of counting the members (``revision``: the counter
    already read for the request)."""
    return region_figure(engine, region_slug, "member_figures",
                         lambda: _count_on_cursor(engine, region_slug), revision)


def _count_on_cursor(engine: Engine, region_slug: str) -> MemberFigures:
    statement = _figures_statements.get(engine)
    if statement is None:
        statement = _figures_statements.setdefault(
            engine, DriverStatement.compile(FIGURES_OF_REGION, engine))
    return _figures_of(statement.rows(engine, region_slug=region_slug))


def _figures_of(rows: Any) -> MemberFigures:
    by_sector = {sector: int(count) for sector, count, _synthetic in rows}
    synthetic = sum(int(count) for _sector, _count, count in rows)
    return MemberFigures(total=sum(by_sector.values()), by_sector=by_sector, synthetic=synthetic)


def member_figures_by_region(session: Session) -> dict[str, MemberFigures]:
    """:func:`member_figures` for every region, in one query (kept in memory while no
    region's records change)."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    return network_figure(engine, "member_figures", lambda: _count_by_region(session))


def _count_by_region(session: Session) -> dict[str, MemberFigures]:
    rows = session.exec(
        select(Region.slug, Member.sector_slug, func.count(), SYNTHETIC_COUNT)
        .join(Region, col(Region.id) == col(Member.region_id))
        .where(col(Member.status).in_(CURRENT))
        .group_by(col(Region.slug), col(Member.sector_slug))
    ).all()
    grouped: dict[str, dict[str, int]] = {}
    synthetic: dict[str, int] = {}
    for slug, sector, count, generated in rows:
        grouped.setdefault(slug, {})[sector] = int(count)
        synthetic[slug] = synthetic.get(slug, 0) + int(generated)
    return {slug: MemberFigures(sum(s.values()), s, synthetic[slug])
            for slug, s in grouped.items()}
