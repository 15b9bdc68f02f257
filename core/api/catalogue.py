"""Reading a region's service catalogue and key figures, shared by the API and the pages."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from campagne.api.schemas import KeyFigures, SectorCount, ServiceOut
from campagne.config import Price
from campagne.i18n import gettext
from campagne.models import Region, Service
from campagne.queries import MemberFigures, member_figures
from campagne.taxonomy import SECTORS, SERVICE_CATEGORIES

# Built once, with bound parameters given at each execution (not rebuilt on every call).
SERVICES_OF_REGION = (
    select(Service)
    .join(Region, col(Region.id) == col(Service.region_id))
    .where(col(Region.slug) == bindparam("region_slug"), col(Service.active).is_(True))
)
SERVICES_OF_CATEGORY = SERVICES_OF_REGION.where(col(Service.category) == bindparam("category"))
CATEGORY_RANK = {category: rank for rank, category in enumerate(SERVICE_CATEGORIES)}


def list_services(session: Session, region_slug: str, category: str | None = None
                  ) -> list[ServiceOut]:
    """The active services of a region, in category then slug order."""
    if category:
        rows = session.exec(SERVICES_OF_CATEGORY,
                            params={"region_slug": region_slug, "category": category}).all()
    else:
        rows = session.exec(SERVICES_OF_REGION, params={"region_slug": region_slug}).all()
    ordered = sorted(rows, key=lambda row: (CATEGORY_RANK[row.category], row.slug))
    return [service_out(region_slug, row) for row in ordered]


def service_out(region_slug: str, row: Service) -> ServiceOut:
    """The public shape of a stored service."""
    return ServiceOut(
        slug=row.slug,
        category=row.category,
        name=row.name,
        description=row.description,
        delivered_by=row.delivered_by,
        price=Price.model_validate(row.price) if row.price else Price(),
        eligibility=row.eligibility,
        category_label=gettext(SERVICE_CATEGORIES[row.category]),
        plugin=row.plugin,
        url=f"/api/v1/regions/{region_slug}/services/{row.slug}",
    )


def key_figures(session: Session, region_slug: str) -> KeyFigures:
    """Members in total and per sector group (every group listed, zero included)."""
    figures: MemberFigures = member_figures(session, region_slug)
    return KeyFigures(
        members_total=figures.total,
        members_by_sector=[
            SectorCount(sector=sector.slug, label=gettext(sector.label),
                        naf_codes=list(sector.naf_codes),
                        members=figures.by_sector.get(sector.slug, 0))
            for sector in SECTORS
        ],
    )
