"""Where a service is delivered: a service names a listing in ``delivered_at`` and its page
lists the places the plug-ins give for it (hook ``delivery_places``); the workspaces
feature gives the region's open spaces for ``spaces``."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from campagne.features.spaces.models import Space
from campagne.models import Region
from campagne.testing import RegionKit, minimal_region

VILLAGES = '''
from campagne.toolkit import PlaceLink, ServiceSpec, hookimpl


@hookimpl
def register_services(region):
    return [ServiceSpec(slug="gites", category="settling_in",
                        name={"fr": "Gîtes d'essai", "en": "Trial cottages"},
                        description={"fr": "Un toit pour essayer.", "en": "A roof to try."},
                        delivered_by="Villages", delivered_at="villages")]


@hookimpl
def delivery_places(listing, locale):
    if listing != "villages":
        return []
    label = "Village de Lectoure" if locale == "fr" else "Lectoure village"
    return [PlaceLink(label=label, path="villages/lectoure", detail="Gers")]
'''


def test_hook_delivery_places(tmp_path: Path) -> None:
    """A plug-in's places show on the page of the service naming its listing, in the
    page's language, and on no other service's page."""
    kit = RegionKit(tmp_path)
    lot = kit.region("lot", plugins={"villages.py": VILLAGES})
    with kit.client([lot]) as client:
        french = client.get("/lot/services/gites").text
        english = client.get("/lot/services/gites?lang=en").text
        other = client.get("/lot/services/accueil").text
    assert "Où ce service est proposé" in french
    assert '<a href="/lot/villages/lectoure">Village de Lectoure</a>' in french
    assert '<a href="/lot/villages/lectoure">Lectoure village</a>' in english
    assert "villages/lectoure" not in other and "where-delivered" not in other


def test_a_service_delivered_at_spaces_lists_the_open_spaces(tmp_path: Path) -> None:
    kit = RegionKit(tmp_path)
    config = minimal_region("lot", "46")
    config["services"].append({
        "slug": "coworking", "category": "coworking", "delivered_by": "Tiers-lieux",
        "delivered_at": "spaces", "name": {"fr": "Coworking", "en": "Coworking"},
        "description": {"fr": "Travailler à plusieurs.", "en": "Working together."}})
    lot = kit.region("lot", config=config)
    with kit.client([lot]) as client:
        engine = client.app.state.instance.engine  # type: ignore[attr-defined]
        with Session(engine) as session:
            region = session.exec(select(Region).where(Region.slug == "lot")).one()
            open_space = Space(region_id=region.id, name="Télécentre de Figeac",
                               commune="Figeac", seats=4)
            closed = Space(region_id=region.id, name="Ancien bureau", commune="Cahors",
                           seats=2, active=False)
            session.add_all([open_space, closed])
            session.commit()
            space_id = open_space.id
        page = client.get("/lot/services/coworking").text
        english = client.get("/lot/services/coworking?lang=en").text
        welcome = client.get("/lot/services/accueil").text
    assert f'<a href="/lot/espaces/{space_id}">Télécentre de Figeac</a>' in page
    assert "(Figeac)" in page and "Ancien bureau" not in page
    assert f'href="/lot/spaces/{space_id}"' in english
    assert "where-delivered" not in welcome
