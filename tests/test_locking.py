"""``campagne.operations.locking`` on both backends: a second writer waits for the first
to commit, the row is read fresh, a failed block rolls back, a missing row is ``None``."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from campagne.features.spaces.models import Space
from campagne.gdpr import erase_member
from campagne.instance import Instance
from campagne.models import Member, MemberStatus, Region
from campagne.operations.locking import exclusive_write, lock_row
from campagne.regions import reference_region_paths
from campagne.taxonomy import SECTORS
from campagne.testing import RegionKit

HOLD = 0.6  # seconds the first writer keeps the lock


@pytest.fixture
def instance(tmp_path: Path, database_url: str) -> Iterator[Instance]:
    """The reference regions, without demo data, on each backend."""
    built = RegionKit(tmp_path, database_url).instance(reference_region_paths())
    try:
        yield built
    finally:
        built.engine.dispose()


def a_space(engine: Engine, seats: int = 3) -> int:
    """A Gers space; its id."""
    with Session(engine) as session:
        gers = session.exec(select(Region).where(Region.slug == "gers")).one()
        assert gers.id is not None
        space = Space(region_id=gers.id, name="Bureau", commune="Auch", seats=seats)
        session.add(space)
        session.commit()
        assert space.id is not None
        return space.id


def test_a_second_writer_waits_for_the_first_to_commit(instance: Instance) -> None:
    space_id = a_space(instance.engine)
    locked, released, second_got_it = threading.Event(), {}, {}

    def second() -> None:
        locked.wait(120)  # only against a hang: set once the first writer holds the lock
        with Session(instance.engine) as session, exclusive_write(session):
            row = lock_row(session, Space, space_id)
            second_got_it["at"] = time.monotonic()
            second_got_it["seats"] = row.seats if row else None

    thread = threading.Thread(target=second)
    thread.start()
    with Session(instance.engine) as session, exclusive_write(session):
        row = lock_row(session, Space, space_id)
        assert row is not None
        row.seats = 7
        session.add(row)
        session.flush()
        locked.set()
        time.sleep(HOLD)
        released["at"] = time.monotonic()
    thread.join(30)
    assert second_got_it["at"] >= released["at"], "the second writer did not wait"
    assert second_got_it["seats"] == 7, "the second writer read what the first committed"


def test_the_row_is_read_fresh(instance: Instance) -> None:
    space_id = a_space(instance.engine, seats=3)
    with Session(instance.engine) as session:
        stale = session.get(Space, space_id)
        assert stale is not None and stale.seats == 3
        with Session(instance.engine) as other:
            other.execute(update(Space).where(col(Space.id) == space_id).values(seats=9))
            other.commit()
        with exclusive_write(session):
            fresh = lock_row(session, Space, space_id)
            assert fresh is stale and fresh.seats == 9


def test_a_failing_block_rolls_back_and_releases(instance: Instance) -> None:
    space_id = a_space(instance.engine)
    with Session(instance.engine) as session, pytest.raises(RuntimeError), \
            exclusive_write(session):
        row = lock_row(session, Space, space_id)
        assert row is not None
        row.name = "Changed"
        session.add(row)
        session.flush()
        raise RuntimeError("refused")
    with Session(instance.engine) as session, exclusive_write(session):
        row = lock_row(session, Space, space_id)  # would wait 30 s if still held
        assert row is not None and row.name == "Bureau"
        assert lock_row(session, Space, 999_999) is None


def test_locking_after_a_write_in_the_same_transaction(instance: Instance) -> None:
    """A session that already wrote keeps its transaction (SQLite: it holds the lock)."""
    space_id = a_space(instance.engine)
    with Session(instance.engine) as session, exclusive_write(session):
        gers = session.exec(select(Region).where(Region.slug == "gers")).one()
        assert gers.id is not None
        session.add(Space(region_id=gers.id, name="Autre", commune="Auch", seats=1))
        session.flush()
        assert lock_row(session, Space, space_id) is not None
    with Session(instance.engine) as session:
        names = set(session.exec(select(Space.name)).all())
        assert {"Bureau", "Autre"} <= names


def test_an_erasure_holds_the_writer_lock_before_the_features_read(
        instance: Instance, monkeypatch: pytest.MonkeyPatch) -> None:
    """The features read, then write, in savepoints of the erasure's transaction: on SQLite
    another writer's commit between the two made the write fail ("database is locked", seen
    when the demo's mail sender marked a retry during an erasure). The lock is taken first."""
    if instance.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL's writers do not conflict this way")
    with Session(instance.engine) as session:
        gers = session.exec(select(Region).where(Region.slug == "gers")).one()
        member = Member(region_id=gers.id, first_name="Ana", last_name="Lopez",
                        email="ana@example.org", sector_slug=SECTORS[0].slug,
                        status=MemberStatus.SETTLED.value)
        session.add(member)
        session.commit()
        member_id = member.id
    other_writer: list[str] = []
    features = instance.plugins.erase_member_data

    def meanwhile(*args: object, **kwargs: object) -> object:
        # Another connection, not waiting at all, tries to write while the features start.
        database = instance.engine.url.database
        assert database is not None
        other = sqlite3.connect(database, timeout=0, isolation_level=None)
        try:
            other.execute("UPDATE region SET name = name WHERE id = -1")
            other_writer.append("written")
        except sqlite3.OperationalError as exc:
            other_writer.append(str(exc))
        finally:
            other.close()
        return features(*args, **kwargs)

    monkeypatch.setattr(instance.plugins, "erase_member_data", meanwhile)
    with Session(instance.engine) as session:
        found = session.get(Member, member_id)
        assert found is not None
        erase_member(session, found, instance)
        session.commit()
    assert other_writer == ["database is locked"]
    with Session(instance.engine) as session:
        erased = session.get(Member, member_id)
        assert erased is not None and erased.email is None and erased.erased_at is not None
