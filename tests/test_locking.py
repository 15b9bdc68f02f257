"""``campagne.operations.locking`` on both backends: a second writer waits for the first
to commit, the row is read fresh, a failed block rolls back, a missing row is ``None``."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from campagne.features.spaces.models import Space
from campagne.instance import Instance
from campagne.models import Region
from campagne.operations.locking import exclusive_write, lock_row
from campagne.regions import reference_region_paths
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
        locked.wait(10)
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
