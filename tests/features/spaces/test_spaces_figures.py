"""The workspaces supply ``desk_occupancy`` to the statistics through the hook
``operations_figures``: a region with the feature switched off publishes it as not
available, however many desks its tables hold; the others compute it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlmodel import Session, select

from campagne.features.spaces.models import Booking, Space
from campagne.models import Region
from campagne.testing import RegionKit

MONDAY = dt.date(2025, 3, 3)


def add_desks(session: Session, slug: str) -> None:
    """A space of the region with one seat, booked on a Monday by a guest."""
    region = session.exec(select(Region).where(Region.slug == slug)).one()
    assert region.id is not None
    space = Space(region_id=region.id, name="Bureau", commune="Ville", seats=1)
    session.add(space)
    session.flush()
    assert space.id is not None
    session.add(Booking(space_id=space.id, day=MONDAY, slot="day", guest_name="Invité"))


def test_desk_occupancy_is_not_available_where_spaces_are_off(tmp_path: Path,
                                                             database_url: str) -> None:
    kit = RegionKit(tmp_path, database_url)
    folders = [kit.reference_copy("gers"),
               kit.reference_copy("orne", features={"spaces": False})]
    instance = kit.instance(folders)
    with Session(instance.engine) as session:
        for slug in ("gers", "orne"):
            add_desks(session, slug)
        session.commit()
    instance.engine.dispose()
    with kit.client(folders) as client:
        params = {"from": MONDAY.year, "to": MONDAY.year}
        gers = client.get("/api/v1/regions/gers/stats", params=params)
        orne = client.get("/api/v1/regions/orne/stats", params=params)
        plugins = {p["name"]: p for p in client.get("/api/v1/plugins").json()}
    assert gers.status_code == orne.status_code == 200
    computed = gers.json()["indicators"]["desk_occupancy"]
    assert computed["available"] is True and computed["unit"] == "share"
    assert computed["suppressed"] or computed["value"] is not None
    off = orne.json()["indicators"]["desk_occupancy"]
    assert off["available"] is False and off["value"] is None and off["unit"] == "share"
    assert "operations_figures" in plugins["campagne.spaces"]["hooks"]
    assert plugins["campagne.spaces"]["status"] == "ok"
