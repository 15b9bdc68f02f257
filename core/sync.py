"""Copy the regions' configuration (and plug-in services) into the database."""

from __future__ import annotations

from sqlmodel import Session, select

from campagne.instance import Instance
from campagne.models import Programme, Region, Sector, Service
from campagne.plugin_types import ServiceSpec
from campagne.taxonomy import SECTORS


def sync_instance(instance: Instance, session: Session) -> None:
    """Insert or update sectors, regions, programmes and services; retire removed services."""
    for sector in SECTORS:
        session.merge(Sector(slug=sector.slug, label=sector.label,
                             naf_codes=",".join(sector.naf_codes)))
    for folder in instance.regions.values():
        config = folder.config
        region = session.exec(select(Region).where(Region.slug == config.slug)).first()
        region = region or Region(slug=config.slug, code=config.code, name=config.name)
        region.code, region.name = config.code, config.name
        session.add(region)
        session.flush()
        assert region.id is not None
        _sync_programme(session, region.id, instance, config.slug)
        services: list[tuple[str | None, ServiceSpec]] = [(None, s) for s in config.services]
        services += list(instance.plugins.services(folder.info()))
        _sync_services(session, region.id, services)


def _sync_programme(session: Session, region_id: int, instance: Instance, slug: str) -> None:
    config = instance.regions[slug].config.programme
    programme = session.exec(select(Programme).where(Programme.region_id == region_id)).first()
    programme = programme or Programme(region_id=region_id, name=config.name,
                                       operator=config.operator)
    programme.name, programme.operator = config.name, config.operator
    programme.launch_year = int(config.launch_year.value) if config.launch_year else None
    programme.audience, programme.description = dict(config.audience), dict(config.description)
    programme.contact_email, programme.contact_phone = config.contact.email, config.contact.phone
    programme.website = config.website
    session.add(programme)


def _sync_services(session: Session, region_id: int,
                   services: list[tuple[str | None, ServiceSpec]]) -> None:
    stored = session.exec(select(Service).where(Service.region_id == region_id))
    existing = {service.slug: service for service in stored}
    for plugin, spec in services:
        row = existing.pop(spec.slug, None) or Service(
            region_id=region_id, slug=spec.slug, category=spec.category,
            delivered_by=spec.delivered_by)
        row.category, row.delivered_by, row.plugin, row.active = (
            spec.category, spec.delivered_by, plugin, True)
        row.name, row.description = dict(spec.name), dict(spec.description)
        row.is_free, row.price_amount = spec.price.free, spec.price.amount
        row.price = spec.price.model_dump(mode="json")
        row.eligibility = dict(spec.eligibility) if spec.eligibility else None
        session.add(row)
    for retired in existing.values():
        retired.active = False
        session.add(retired)
