"""A region that switches meetups off publishes no meetup indicator (the figures are in
the schema, not available) and shows no meetup link; the statistics engine asks the
features for their figures (hook ``operations_figures``) and names none of them."""

from __future__ import annotations

import ast
import datetime as dt
import shutil
import uuid
from pathlib import Path

import yaml
from fastapi.testclient import TestClient
from sqlmodel import Session, select

import campagne.features.statistics.engine
from campagne.app import create_app
from campagne.features.meetups.models import Meetup
from campagne.instance import Instance
from campagne.models import Region
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit

MEETUP_FIGURES = ("meetups_held", "meetup_attendance", "meetup_attendance_rate")


def _copy(kit: RegionKit, slug: str, **extra: object) -> Path:
    source = next(path for path in reference_region_paths() if path.name == slug)
    folder = kit.root / slug
    shutil.copytree(source, folder)
    config_file = folder / "region.yaml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config_file.write_text(yaml.safe_dump({**config, **extra}, allow_unicode=True,
                                          sort_keys=False), encoding="utf-8")
    return folder


def _held_yesterday(instance: Instance, slug: str) -> None:
    with Session(instance.engine) as session:
        region_id = session.exec(select(Region.id).where(Region.slug == slug)).one()
        assert region_id is not None
        start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        session.add(Meetup(region_id=region_id, uid=f"{uuid.uuid4().hex}@test.invalid",
                           title="Club", starts_at=start, ends_at=start + dt.timedelta(hours=2),
                           place="Alençon", capacity=10))
        session.commit()


def test_meetup_figures_are_not_available_where_meetups_are_off(tmp_path: Path,
                                                                database_url: str) -> None:
    kit = RegionKit(tmp_path, database_url)
    folders = [_copy(kit, "gers"), _copy(kit, "orne", features={"meetups": False})]
    instance = kit.instance(folders)
    try:
        for slug in ("gers", "orne"):
            _held_yesterday(instance, slug)
        with TestClient(create_app(instance)) as client:
            orne = client.get("/api/v1/regions/orne/stats").json()["indicators"]
            gers = client.get("/api/v1/regions/gers/stats").json()["indicators"]
    finally:
        instance.engine.dispose()
    for name in MEETUP_FIGURES:
        assert orne[name]["value"] is None and orne[name]["available"] is False, name
        assert gers[name]["available"] is True or name == "meetup_attendance_rate", name
    assert gers["meetups_held"] == {"value": 1, "unit": "meetups", "available": True,
                                    "suppressed": False}
    assert orne["meetup_attendance_rate"]["unit"] == gers["meetup_attendance_rate"]["unit"]


def test_no_meetup_link_nor_page_where_meetups_are_off(tmp_path: Path) -> None:
    kit = RegionKit(tmp_path)
    folders = [_copy(kit, "gers"), _copy(kit, "orne", features={"meetups": False})]
    with kit.client(folders) as client:
        for page in ("/orne/", "/orne/services", "/orne/?lang=en"):
            text = client.get(page).text
            assert "/orne/rencontres" not in text and "/orne/meetups" not in text, page
            assert "events.ics" not in text, page
        for path in ("/orne/rencontres", "/orne/meetups", "/orne/events.ics",
                     "/api/v1/regions/orne/events", "/orne/staff/meetups"):
            assert client.get(path).status_code == 404, path
        gers = client.get("/gers/").text
        assert "/gers/rencontres" in gers or "/gers/meetups" in gers


GIVER = '''
from campagne import hookimpl
from campagne.stats.schema import Count, Measure


@hookimpl
def operations_figures(threshold):
    return {"meetups_held": Measure(value=threshold, unit="meetups"),
            "members_total": Count(value=1),
            "meetup_attendance": Measure(value=1, unit="people")}
'''


def test_hook_operations_figures(tmp_path: Path) -> None:
    """A plug-in gives a feature's figure where the feature is off; a figure the engine
    computes itself, or of the wrong type, is a recorded failure and left out."""
    kit = RegionKit(tmp_path)
    kit.root.mkdir(parents=True, exist_ok=True)
    orne = _copy(kit, "orne", features={"meetups": False})
    (orne / "plugins").mkdir(exist_ok=True)
    (orne / "plugins" / "giver.py").write_text(GIVER, encoding="utf-8")
    instance = kit.instance([orne])
    try:
        with TestClient(create_app(instance)) as client:
            stats = client.get("/api/v1/regions/orne/stats").json()
            failures = {p["name"]: p["failures"] for p in client.get("/api/v1/plugins").json()}
    finally:
        instance.engine.dispose()
    figures = stats["indicators"]
    assert figures["meetups_held"]["value"] == stats["disclosure"]["threshold"]
    assert figures["meetup_attendance"] == {"value": None, "available": False,
                                            "suppressed": False}
    assert figures["members_total"]["value"] != 1
    messages = [f["message"] for f in failures["orne.giver"]]
    assert len(messages) == 2 and all("not a figure a feature gives" in m for m in messages)


def test_the_statistics_engine_names_no_feature_module() -> None:
    source = Path(campagne.features.statistics.engine.__file__).read_text(encoding="utf-8")
    imported = {node.module for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.ImportFrom) and node.module}
    assert not any(name.startswith("campagne.features") for name in imported)
    assert "meetup_figures" not in source
