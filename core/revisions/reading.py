"""Read the data revisions: what a cached figure is compared with on every request."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from sqlalchemy import Engine, bindparam, func, or_, select
from sqlalchemy.sql.expression import literal
from sqlmodel import col

from campagne.driver_statements import DriverStatement
from campagne.models import Region
from campagne.revisions.model import ALL_REGIONS
from campagne.revisions.tracking import REVISIONS

# The sum of two counters that only grow changes whenever either does: the region's own
# and the one of changes to every region.
_OF_REGION = select(func.coalesce(func.sum(REVISIONS.c.revision), 0)).where(or_(
    REVISIONS.c.scope == literal(ALL_REGIONS),
    REVISIONS.c.scope == select(col(Region.id)).where(
        col(Region.slug) == bindparam("region_slug")).scalar_subquery()))
_OF_ALL = select(func.coalesce(func.sum(REVISIONS.c.revision), 0))
_statements: WeakKeyDictionary[Engine, tuple[DriverStatement, DriverStatement]] = \
    WeakKeyDictionary()


def _compiled(engine: Engine) -> tuple[DriverStatement, DriverStatement]:
    found = _statements.get(engine)
    if found is None:
        found = _statements.setdefault(engine, (DriverStatement.compile(_OF_REGION, engine),
                                                DriverStatement.compile(_OF_ALL, engine)))
    return found


def region_revision(engine: Engine, region_slug: str) -> int:
    """The revision of a region's records: it grows with every committed change to them."""
    return int(_compiled(engine)[0].rows(engine, region_slug=region_slug)[0][0])


def network_revision(engine: Engine) -> int:
    """The revision of every region's records together (for figures that compare them)."""
    return int(_compiled(engine)[1].rows(engine)[0][0])
