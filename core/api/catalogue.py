"""Reading a region's service catalogue and key figures, shared by the API and the pages."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from fastapi.concurrency import run_in_threadpool
from pydantic import TypeAdapter
from sqlalchemy import Engine, bindparam
from sqlmodel import Session, col, select

from campagne.api.schemas import KeyFigures, SectorCount, ServiceOut
from campagne.config import Price
from campagne.i18n import SUPPORTED, current_locale, gettext, translations
from campagne.models import Region, Service
from campagne.queries import MemberFigures, member_figures_quick
from campagne.taxonomy import SECTORS, SERVICE_CATEGORIES

# Built once, with bound parameters given at each execution (not rebuilt on every call).
SERVICES_OF_REGION = (
    select(Service)
    .join(Region, col(Region.id) == col(Service.region_id))
    .where(col(Region.slug) == bindparam("region_slug"), col(Service.active).is_(True))
)
CATEGORY_RANK = {category: rank for rank, category in enumerate(SERVICE_CATEGORIES)}


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


SERVICE_LIST = TypeAdapter(list[ServiceOut])


@dataclass(frozen=True)
class RegionCatalogue:
    """A region's active services in one language, ready to serve (never changed once built).

    ``services`` is in category then slug order; ``json`` and ``json_by_category`` are the
    bodies of ``GET /api/v1/regions/{slug}/services`` (whole, or filtered by category),
    serialised once as FastAPI would serialise the list of ``ServiceOut``."""

    services: tuple[ServiceOut, ...]
    by_slug: Mapping[str, ServiceOut]
    by_category: Mapping[str, tuple[ServiceOut, ...]]
    json: bytes
    json_by_category: Mapping[str, bytes]

    @classmethod
    def build(cls, services: tuple[ServiceOut, ...]) -> RegionCatalogue:
        """Index and serialise ``services`` (already in catalogue order)."""
        by_category: dict[str, tuple[ServiceOut, ...]] = {}
        for service in services:
            by_category[service.category] = (*by_category.get(service.category, ()), service)
        return cls(
            services=services,
            by_slug=MappingProxyType({service.slug: service for service in services}),
            by_category=MappingProxyType(by_category),
            json=SERVICE_LIST.dump_json(list(services), by_alias=True),
            json_by_category=MappingProxyType({
                category: SERVICE_LIST.dump_json(list(items), by_alias=True)
                for category, items in by_category.items()
            }),
        )

    def of_category(self, category: str | None) -> tuple[ServiceOut, ...]:
        """The services of ``category`` (all of them when it is None)."""
        return self.services if category is None else self.by_category.get(category, ())

    def json_of_category(self, category: str | None) -> bytes:
        """The API's JSON body for ``category`` (all services when it is None)."""
        return self.json if category is None else self.json_by_category.get(category, b"[]")


class ServiceCatalogue:
    """Every region's service catalogue, read from the database once per process.

    The services are written into the database only when the instance starts
    (``campagne serve``, ``campagne demo``, ``campagne db upgrade REGION_DIR``: see
    ``campagne.sync``), before the server answers; a change of ``region.yaml`` or of a
    plug-in needs a restart anyway. So each worker reads a region's catalogue on its first
    use and keeps it, one immutable :class:`RegionCatalogue` per language (the category
    labels are translated), instead of querying and rebuilding it on every request. Held by
    the application (``app.state.catalogue``), never by the module: each app, each test,
    has its own."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._built: dict[tuple[str, str], RegionCatalogue] = {}
        self._lock = threading.Lock()

    def cached(self, region_slug: str, locale: str) -> RegionCatalogue | None:
        """The catalogue if it is already built (a dictionary lookup, no I/O)."""
        return self._built.get((region_slug, locale))

    def get(self, region_slug: str, locale: str) -> RegionCatalogue:
        """The region's catalogue in ``locale``, read from the database on first use."""
        found = self._built.get((region_slug, locale))
        if found is not None:
            return found
        with self._lock:
            found = self._built.get((region_slug, locale))
            if found is None:
                self._load(region_slug, locale)
                found = self._built[(region_slug, locale)]
        return found

    def _load(self, region_slug: str, locale: str) -> None:
        """Read the region's services once and build them in every supported language (and
        in ``locale``, should it be another)."""
        with Session(self.engine) as session:
            rows = session.exec(SERVICES_OF_REGION, params={"region_slug": region_slug}).all()
            ordered = sorted(rows, key=lambda row: (CATEGORY_RANK[row.category], row.slug))
            base = tuple(service_out(region_slug, row) for row in ordered)
        for language in dict.fromkeys((*SUPPORTED, locale)):
            messages = translations(language)
            labelled = tuple(
                service.model_copy(update={
                    "category_label": messages.gettext(SERVICE_CATEGORIES[service.category])})
                for service in base
            )
            self._built[(region_slug, language)] = RegionCatalogue.build(labelled)


async def region_catalogue(catalogue: ServiceCatalogue, region_slug: str) -> RegionCatalogue:
    """The region's catalogue in the current request's language, from an ``async`` endpoint:
    a dictionary lookup once built; the first read goes to a worker thread (database I/O)."""
    locale = current_locale.get()
    found = catalogue.cached(region_slug, locale)
    if found is None:
        found = await run_in_threadpool(catalogue.get, region_slug, locale)
    return found


def key_figures(engine: Engine, region_slug: str, revision: int | None = None) -> KeyFigures:
    """Members in total and per sector group (every group listed, zero included);
    ``revision``: the region's revision already read for the request."""
    figures: MemberFigures = member_figures_quick(engine, region_slug, revision)
    return KeyFigures(
        members_total=figures.total,
        members_by_sector=[
            SectorCount(sector=sector.slug, label=gettext(sector.label),
                        naf_codes=list(sector.naf_codes),
                        members=figures.by_sector.get(sector.slug, 0))
            for sector in SECTORS
        ],
    )
