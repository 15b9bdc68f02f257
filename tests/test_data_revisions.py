"""Data revisions: every committed change to a region's records raises its counter, and the
figures kept in memory by one process are never served after another process changed the
records (two instances on one database stand for two uvicorn workers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, insert, update
from sqlmodel import Session, select

from campagne.app import create_app
from campagne.features.meetups.models import Meetup, Registration
from campagne.features.spreadsheets.fields import Kind, auto_mapping
from campagne.features.spreadsheets.importer import import_rows, region_by_slug
from campagne.features.spreadsheets.reading import read_sheet
from campagne.instance import Instance
from campagne.models import Member, MemberStatus, Region
from campagne.operations.models import Interaction, InteractionKind
from campagne.revisions.cache import RevisionCache
from campagne.revisions.model import ALL_REGIONS, DataRevision
from campagne.revisions.reading import network_revision, region_revision
from campagne.revisions.tracking import region_path, region_paths
from campagne.testing import RegionKit

SECTOR = "it_internet_ecommerce"


@pytest.fixture
def workers(tmp_path: Path, database_url: str, reference_paths: list[Path]
            ) -> Iterator[tuple[TestClient, TestClient]]:
    """Two applications, each with its own engine and memory, on one database."""
    kit = RegionKit(tmp_path / "regions", database_url)
    first = kit.instance(reference_paths)
    second = kit.instance(reference_paths)  # the same database, already migrated
    with TestClient(create_app(first)) as one, TestClient(create_app(second)) as two:
        yield one, two
    first.engine.dispose()
    second.engine.dispose()


def _instance(client: TestClient) -> Instance:
    instance: Instance = client.app.state.instance  # type: ignore[attr-defined]
    return instance


def _region_id(instance: Instance, slug: str) -> int:
    with Session(instance.engine) as session:
        found = session.exec(select(Region.id).where(Region.slug == slug)).one()
    assert found is not None
    return found


def _add_members(instance: Instance, slug: str, count: int) -> None:
    region = _region_id(instance, slug)
    with Session(instance.engine) as session:
        for n in range(count):
            session.add(Member(region_id=region, first_name="Test", last_name=f"P{n}",
                               sector_slug=SECTOR, status=MemberStatus.SETTLED.value,
                               arrival_date=dt.date(2024, 1, 1)))
        session.commit()


def _members_total(client: TestClient, slug: str = "gers") -> int:
    answer = client.get(f"/api/v1/regions/{slug}")
    assert answer.status_code == 200
    total: int = answer.json()["key_figures"]["members_total"]
    return total


def _stats_total(client: TestClient, slug: str = "gers") -> int | None:
    answer = client.get(f"/api/v1/regions/{slug}/stats")
    assert answer.status_code == 200
    value: int | None = answer.json()["indicators"]["members_total"]["value"]
    return value


def test_a_change_through_one_worker_is_seen_by_the_other(
        workers: tuple[TestClient, TestClient]) -> None:
    one, two = workers
    assert _members_total(one) == 0 and _stats_total(one) == 0  # kept by the first
    _add_members(_instance(two), "gers", 12)  # written through the second
    assert _members_total(one) == 12
    assert _stats_total(one) == 12
    compared = one.get("/api/v1/network/compare").json()
    gers = next(item for item in compared["stats"] if item["region"]["slug"] == "gers")
    assert gers["indicators"]["members_total"]["value"] == 12
    assert "12" in one.get("/gers/").text


def test_unchanged_figures_are_served_from_memory_with_the_same_tag(
        workers: tuple[TestClient, TestClient]) -> None:
    one, _two = workers
    _add_members(_instance(one), "gers", 11)
    first = one.get("/api/v1/regions/gers/stats")
    again = one.get("/api/v1/regions/gers/stats",
                    headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert one.get("/api/v1/regions/gers/stats").json()["generated_at"] == \
        first.json()["generated_at"]  # not computed again
    _add_members(_instance(one), "gers", 1)
    changed = one.get("/api/v1/regions/gers/stats",
                      headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200 and changed.headers["etag"] != first.headers["etag"]


def test_each_kind_of_write_raises_the_region_it_touches(
        workers: tuple[TestClient, TestClient]) -> None:
    instance = _instance(workers[0])
    engine = instance.engine
    gers, orne = _region_id(instance, "gers"), _region_id(instance, "orne")

    def revisions() -> tuple[int, int]:
        return region_revision(engine, "gers"), region_revision(engine, "orne")

    before = revisions()
    _add_members(instance, "gers", 1)  # an ORM flush
    after_orm = revisions()
    assert after_orm[0] > before[0] and after_orm[1] == before[1]
    with engine.begin() as connection:  # a Core bulk insert naming its region
        connection.execute(insert(Member), [{
            "region_id": orne, "first_name": "A", "last_name": "B", "sector_slug": SECTOR,
            "status": MemberStatus.SETTLED.value}])
    after_core = revisions()
    assert after_core[0] == after_orm[0] and after_core[1] > after_orm[1]
    with Session(engine) as session:  # a row that names its region through its parent
        meetup = Meetup(region_id=gers, uid="r@example.org", title="Rencontre",
                        starts_at=dt.datetime(2030, 1, 1, 18, tzinfo=dt.UTC),
                        ends_at=dt.datetime(2030, 1, 1, 20, tzinfo=dt.UTC), place="Auch",
                        capacity=20)
        session.add(meetup)
        session.commit()
        after_meetup = revisions()
        session.add(Registration(meetup_id=meetup.id, guest_name="Invitée",
                                 guest_email="invitee@example.org", status="confirmed"))
        session.commit()
    after_registration = revisions()
    assert after_registration[0] > after_meetup[0]
    assert after_registration[1] == after_meetup[1]
    with engine.begin() as connection:  # a bulk update: its regions are not known
        connection.execute(update(Member).values(commune="Auch"))
    everything = revisions()
    assert everything[0] > after_registration[0] and everything[1] > after_registration[1]


def test_updates_and_deletes_pinned_to_rows_raise_only_their_regions(
        workers: tuple[TestClient, TestClient]) -> None:
    instance = _instance(workers[0])
    engine = instance.engine
    gers, orne = _region_id(instance, "gers"), _region_id(instance, "orne")
    _add_members(instance, "gers", 2)
    with Session(engine) as session:
        first, second = session.exec(select(Member.id).where(Member.region_id == gers)
                                     .order_by(Member.id.desc()).limit(2)).all()  # type: ignore[union-attr]
        meetup = Meetup(region_id=orne, uid="p@example.org", title="Rencontre",
                        starts_at=dt.datetime(2030, 1, 1, 18, tzinfo=dt.UTC),
                        ends_at=dt.datetime(2030, 1, 1, 20, tzinfo=dt.UTC), place="Alençon",
                        capacity=20)
        session.add(meetup)
        session.commit()
        meetup_id = meetup.id

    def moved(statement: object) -> tuple[bool, bool]:
        before = (region_revision(engine, "gers"), region_revision(engine, "orne"))
        with engine.begin() as connection:
            connection.execute(statement)  # type: ignore[call-overload]
        return (region_revision(engine, "gers") > before[0],
                region_revision(engine, "orne") > before[1])

    # by id, with another condition (a compare-and-set), by a list of ids, by region
    assert moved(update(Member).where(Member.id == first, Member.version >= 0)  # type: ignore[arg-type]
                 .values(commune="Auch")) == (True, False)
    assert moved(update(Member).where(Member.id.in_([first, second]))  # type: ignore[union-attr]
                 .values(commune="Condom")) == (True, False)
    assert moved(update(Member).where(Member.region_id == orne)  # type: ignore[arg-type]
                 .values(commune="Alençon")) == (False, True)
    # through the parent's foreign key; a row of the table that has the region by its id
    assert moved(update(Registration).where(Registration.meetup_id == meetup_id)  # type: ignore[arg-type]
                 .values(guest_name="X")) == (False, True)
    # a row moved to another region, a condition that pins nothing, a deleted row
    assert moved(update(Member).where(Member.id == second)  # type: ignore[arg-type]
                 .values(region_id=orne)) == (True, True)
    assert moved(update(Member).where(Member.commune == "Auch")  # type: ignore[arg-type]
                 .values(commune="Auch")) == (True, True)
    assert moved(delete(Member).where(Member.id == first)) == (True, True)  # type: ignore[arg-type]


def test_a_transaction_may_pin_more_rows_than_a_statement_may_name(
        workers: tuple[TestClient, TestClient]) -> None:
    """The rows pinned by updates are looked up at commit in several queries (a single one
    would name more values than the databases allow: 32,766 on SQLite, 65,535 on
    PostgreSQL)."""
    instance = _instance(workers[0])
    _add_members(instance, "gers", 1)
    with Session(instance.engine) as session:
        member = session.exec(select(Member.id)).one()
    before = region_revision(instance.engine, "gers")
    with instance.engine.begin() as connection:
        for first in range(0, 90_000, 30_000):  # one of them is the Gers member
            connection.execute(update(Member).where(
                Member.id.in_(range(first + 1, first + 30_001)))  # type: ignore[union-attr]
                .values(commune="Auch"))
    assert region_revision(instance.engine, "gers") > before
    with Session(instance.engine) as session:
        assert session.exec(select(Member.commune).where(Member.id == member)).one() == "Auch"


def _import_members(instance: Instance, rows: range, commune: str = "Auch") -> None:
    """``campagne import``'s use case: members of the Gers, one per number of ``rows``."""
    lines = ["Nom;Prénom;Courriel;Code NAF;Commune;Statut"]
    lines += [f"Nom{n};P;personne{n}@example.org;62.01Z;{commune};installé" for n in rows]
    sheet = read_sheet("\n".join(lines).encode(), "membres.csv")
    with Session(instance.engine) as session:
        gers = region_by_slug(session, "gers")
        assert gers is not None
        report = import_rows(session, gers, Kind.MEMBERS, sheet,
                             auto_mapping(Kind.MEMBERS, sheet.headers), actor=None,
                             filename="membres.csv")
    assert report.written


def test_an_import_raises_its_region_and_the_other_worker_serves_new_figures(
        workers: tuple[TestClient, TestClient]) -> None:
    one, two = workers
    engine = _instance(one).engine
    assert _members_total(one) == 0 and _stats_total(one) == 0  # kept by the first

    def revisions() -> tuple[int, int]:
        return region_revision(engine, "gers"), region_revision(engine, "orne")

    before = revisions()
    _import_members(_instance(two), range(30))  # new records only: one region
    created = revisions()
    assert created[0] > before[0] and created[1] == before[1]
    assert _members_total(one) == 30 and _stats_total(one) == 30
    _import_members(_instance(two), range(30))  # unchanged: nothing written
    assert revisions() == created
    _import_members(_instance(two), range(25, 40), commune="Condom")  # updates and new ones
    changed = revisions()
    assert changed[0] > created[0] and changed[1] == created[1]
    _import_members(_instance(two), range(10), commune="Mirande")  # updates only
    assert revisions()[0] > changed[0] and revisions()[1] == changed[1]
    assert _members_total(one) == 40 and _stats_total(one) == 40


def test_a_rolled_back_change_raises_nothing(workers: tuple[TestClient, TestClient]) -> None:
    instance = _instance(workers[0])
    before = network_revision(instance.engine)
    with Session(instance.engine) as session:
        session.add(Member(region_id=_region_id(instance, "gers"), first_name="N",
                           last_name="O", sector_slug=SECTOR))
        session.flush()
        session.rollback()
    assert network_revision(instance.engine) == before
    with Session(instance.engine) as session:
        counters = {row.scope: row.revision for row in session.exec(select(DataRevision))}
    assert ALL_REGIONS in counters


def test_a_row_names_its_region_through_whichever_parent_it_holds(
        workers: tuple[TestClient, TestClient]) -> None:
    instance = _instance(workers[0])
    engine = instance.engine
    _add_members(instance, "gers", 1)
    with Session(engine) as session:
        member = session.exec(select(Member.id).where(
            Member.region_id == _region_id(instance, "gers"))).first()
    before = (region_revision(engine, "gers"), region_revision(engine, "orne"))
    with Session(engine) as session:  # a member's timeline entry, no inquiry
        session.add(Interaction(member_id=member, kind=InteractionKind.NOTE.value,
                                summary="Note"))
        session.commit()
    with engine.begin() as connection:
        connection.execute(insert(Interaction), [{
            "member_id": member, "inquiry_id": None, "kind": InteractionKind.NOTE.value,
            "summary": "Note", "detail": {}}])
    after = (region_revision(engine, "gers"), region_revision(engine, "orne"))
    assert after[0] == before[0] + 2 and after[1] == before[1]
    paths = dict(region_paths(Interaction.__table__))  # type: ignore[attr-defined]
    assert set(paths) == {"inquiry_id", "member_id"}


def test_tables_name_their_region_directly_or_through_a_parent() -> None:
    assert region_path(Member.__table__) == ("region_id", None)  # type: ignore[attr-defined]
    column, parent = region_path(Registration.__table__)  # type: ignore[attr-defined,misc]
    assert column == "meetup_id" and parent is Meetup.__table__  # type: ignore[attr-defined]
    assert region_path(DataRevision.__table__) is None  # type: ignore[attr-defined]


def test_the_cache_keeps_the_newest_and_forgets_the_oldest() -> None:
    cache = RevisionCache(capacity=2)
    assert cache.get("a", 1, lambda: "a1") == "a1"
    assert cache.get("a", 1, lambda: "other") == "a1"
    assert cache.get("a", 2, lambda: "a2") == "a2"
    cache.get("b", 1, lambda: "b1")
    cache.get("c", 1, lambda: "c1")  # "a" was used least recently
    assert cache.get("a", 2, lambda: "again") == "again"
    assert (cache.hits, cache.misses) == (1, 5)
