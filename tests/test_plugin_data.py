"""Plug-ins that keep data: the example package's table, created by ``campagne db upgrade``
and dropped by downgrading its branch, on SQLite and PostgreSQL; its page lists its
region's rows only; its GDPR hooks take part in a person's export and erasure; a plug-in
declaring personal data without them is refused by ``campagne check``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from accounts_kit import EMAILS, PASSWORD, populate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from packages_kit import install_example
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel, col, select

from campagne.app import create_app
from campagne.cli import main
from campagne.db import alembic_config, make_engine, schema_is_current
from campagne.gdpr import erase_member
from campagne.models import Member, Region
from campagne.plugin_data import NotYourTable, region_id_of
from campagne.plugin_migrations import version_table
from campagne.plugin_types import MemberEvent
from campagne.regions import reference_region_paths
from campagne.taxonomy import SECTORS_BY_SLUG
from campagne.testing import RegionKit, minimal_region

EXAMPLE = "example_incentive"
MODULE = "campagne_example_incentive"
TABLE = "example_incentive_claim"
DAY = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``tests/example_package`` as ``pip install`` leaves it, loaded by the commands run
    here."""
    name = install_example(tmp_path, monkeypatch)
    monkeypatch.setenv("CAMPAGNE_LOAD_ENTRY_POINTS", "true")
    yield name


def _regions(kit: RegionKit) -> list[Path]:
    lot = kit.region("lot")
    cantal = kit.region("cantal", code="15", config=minimal_region(
        "cantal", "15", plugins={EXAMPLE: {"bonus_eur": 500}}))
    return [lot, cantal]


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _example_object(item: Any, name: str | None, kind: str, reflected: bool,
                    compare_to: Any) -> bool:
    table = item if kind == "table" else getattr(item, "table", None)
    return getattr(table, "name", None) == TABLE


def _settled(member_id: int, region: str) -> MemberEvent:
    return MemberEvent(kind="settled", region_slug=region, member_id=member_id, occurred_at=DAY)


# SQLAlchemy cannot reflect SQLite's indexes on expressions (see tests/test_migrations.py).
@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_db_upgrade_creates_the_table_and_downgrade_drops_it(
        db_kit: RegionKit, example: str, capsys: pytest.CaptureFixture[str]) -> None:
    folders = [str(path) for path in _regions(db_kit)]
    url = db_kit.database_url
    assert main(["db", "upgrade", "--db", url, *folders]) == 0
    assert TABLE in _tables(url) and version_table(EXAMPLE) in _tables(url)
    engine = make_engine(url)
    with engine.connect() as connection:  # its migration builds what its model says
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_object": _example_object})
        assert compare_metadata(context, SQLModel.metadata) == []
    engine_head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as connection:  # the engine's own chain is left as it was
        assert connection.execute(text("SELECT version_num FROM alembic_version")).all() == [
            (engine_head,)]
        assert connection.execute(text(f"SELECT version_num FROM {version_table(EXAMPLE)}")
                                  ).all() == [("example_incentive_0001",)]
    engine.dispose()
    assert main(["db", "downgrade", EXAMPLE, *folders, "--db", url]) == 0
    assert TABLE not in _tables(url) and "member" in _tables(url)
    instance = db_kit.instance([Path(f) for f in folders], load_entry_points=True)
    try:  # the kit upgrades again, as serve does
        assert TABLE in _tables(url)
        assert schema_is_current(instance.engine, instance.plugins)
        assert main(["db", "downgrade", EXAMPLE, *folders, "--db", url]) == 0
        assert schema_is_current(instance.engine)  # the engine's chain alone is current
        assert not schema_is_current(instance.engine, instance.plugins)
    finally:
        instance.engine.dispose()
    capsys.readouterr()
    assert main(["db", "downgrade", "no_such_plugin", *folders, "--db", url]) == 2
    assert f"no loaded plug-in 'no_such_plugin' keeps migrations (those that do: {EXAMPLE})" \
        in capsys.readouterr().err


def test_the_page_lists_the_rows_of_its_region_only(db_kit: RegionKit, example: str) -> None:
    lot, cantal = _regions(db_kit)
    with db_kit.client([lot, cantal], load_entry_points=True) as client:
        instance = client.app.state.instance  # type: ignore[attr-defined]
        regions = instance.regions
        for member_id, slug in ((7, "lot"), (8, "cantal"), (7, "lot")):  # granted once
            instance.plugins.notify_member_event(regions[slug].info(), _settled(member_id, slug))
        lot_page = client.get("/lot/plugins/example_incentive/?lang=en")
        assert lot_page.status_code == 200
        assert "Relocation bonuses granted" in lot_page.text
        assert lot_page.text.count("<td>2026-11-02</td><td>1000 €</td>") == 1
        assert "500 €" not in lot_page.text
        cantal_page = client.get("/cantal/plugins/example_incentive/").text
        assert "<td>2026-11-02</td><td>500 €</td>" in cantal_page and "1000 €" not in cantal_page
        assert not [f for r in instance.plugins.records.values() for f in r.failures]
        (listed,) = [p for p in client.get("/api/v1/plugins").json() if p["name"] == EXAMPLE]
        assert listed["tables"] == [TABLE] and listed["origin"] == example


def test_plugin_data_keeps_to_its_region_and_its_tables(kit: RegionKit, example: str) -> None:
    from campagne_example_incentive.claims import BonusClaim

    lot, cantal = _regions(kit)
    instance = kit.instance([lot, cantal], load_entry_points=True)
    try:
        with instance.plugins.store(EXAMPLE, "cantal").open() as data:
            other = data.add(BonusClaim(member_id=3, amount_eur=5, granted_on=DAY.date()))
        with instance.plugins.store(EXAMPLE, "lot").open() as data:
            assert data.get(BonusClaim, other.id) is None
            assert data.rows(BonusClaim) == [] and data.count(BonusClaim) == 0
            assert data.delete_where(BonusClaim) == 0
            with pytest.raises(NotYourTable):
                data.delete(other)
            with pytest.raises(NotYourTable):
                data.rows(Member)  # type: ignore[type-var]
        with Session(instance.engine) as session:
            assert len(session.exec(select(BonusClaim)).all()) == 1
    finally:
        instance.engine.dispose()


@pytest.fixture
def served(tmp_path: Path, database_url: str, example: str) -> Iterator[TestClient]:
    """The reference regions, their members and accounts, and the example package."""
    instance = RegionKit(tmp_path / "regions", database_url).instance(
        reference_region_paths(), load_entry_points=True)
    populate(instance)
    try:
        with TestClient(create_app(instance), raise_server_exceptions=False) as client:
            yield client
    finally:
        instance.engine.dispose()


def _token(client: TestClient, role: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": EMAILS[role],
                                                       "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _settle_two_gers_members(client: TestClient) -> tuple[int, int]:
    """Grant the bonus to the Gers member who has an account and to the next one."""
    instance = client.app.state.instance  # type: ignore[attr-defined]
    with Session(instance.engine) as session:
        member_id, other_id = _two_gers_members(session)
    for one in (member_id, other_id):
        instance.plugins.notify_member_event(instance.regions["gers"].info(),
                                             _settled(one, "gers"))
    return member_id, other_id


def test_hook_export_member_data(served: TestClient) -> None:
    _settle_two_gers_members(served)
    export = served.get("/api/v1/me/export", headers=_token(served, "member"))
    assert export.status_code == 200
    assert export.json()["plugins"] == {EXAMPLE: [
        {"amount_eur": 1000.0, "granted_on": "2026-11-02"}]}  # the other member's stays out


def test_hook_erase_member_data(served: TestClient) -> None:
    from campagne_example_incentive.claims import BonusClaim

    member_id, other_id = _settle_two_gers_members(served)
    erased = served.post(f"/api/v1/regions/gers/members/{member_id}/erase",
                         headers=_token(served, "staff_gers"))
    assert erased.status_code == 200, erased.text
    instance = served.app.state.instance  # type: ignore[attr-defined]
    with instance.plugins.store(EXAMPLE, "gers").open() as data:
        assert [claim.member_id for claim in data.rows(BonusClaim)] == [other_id]


def _two_gers_members(session: Session) -> tuple[int, int]:
    """The member who has an account (the first of the Gers) and the next one."""
    region = session.exec(select(Region).where(Region.slug == "gers")).one()
    ids = session.exec(select(Member.id).where(Member.region_id == region.id)
                       .order_by(col(Member.id)).limit(2)).all()
    return int(ids[0] or 0), int(ids[1] or 0)


FORGETFUL = '''
from pathlib import Path

from sqlmodel import Field

from campagne import hookimpl
from campagne.plugin_data import RegionScoped

PERSONAL_DATA = True


class Contact(RegionScoped, table=True):
    __tablename__ = "forgetful_contact"
    id: int | None = Field(default=None, primary_key=True)
    email: str


TABLES = [Contact]
MIGRATIONS = Path(__file__).with_name("forgetful_migrations")


@hookimpl
def export_member_data(data, member_id):
    return []
'''


def test_personal_data_without_export_and_erasure_hooks_fails_check(
        kit: RegionKit, capsys: pytest.CaptureFixture[str]) -> None:
    lot = kit.region("lot", plugins={"forgetful.py": FORGETFUL,
                                     "forgetful_migrations/README": "no migration yet\n"})
    assert main(["check", str(lot)]) == 2
    err = capsys.readouterr().err
    line = FORGETFUL.splitlines().index("PERSONAL_DATA = True") + 1
    assert (f"{lot / 'plugins' / 'forgetful.py'}:{line}:1: plug-in 'forgetful' declares "
            "PERSONAL_DATA but does not implement erase_member_data: a person's data export "
            "and erasure must reach what it stores") in err


def test_tables_without_migrations_are_refused(kit: RegionKit,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    migrations = 'MIGRATIONS = Path(__file__).with_name("forgetful_migrations")\n'
    source = FORGETFUL.replace(migrations, "").replace(
        "forgetful_contact", "forgetful_contact_2").replace("PERSONAL_DATA = True", "")
    lot = kit.region("lot", plugins={"forgetful.py": source})
    assert main(["check", str(lot)]) == 2
    err = capsys.readouterr().err
    line = source.splitlines().index("TABLES = [Contact]") + 1
    assert (f"{lot / 'plugins' / 'forgetful.py'}:{line}:1: a plug-in with TABLES must give "
            "the folder of their migrations in MIGRATIONS") in err



VISITS = '''
import datetime as dt
from pathlib import Path

from sqlmodel import Field, col

from campagne import hookimpl
from campagne.plugin_data import RegionScoped

PERSONAL_DATA = True


class Visit(RegionScoped, table=True):
    __tablename__ = "visits_visit"
    id: int | None = Field(default=None, primary_key=True)
    member_id: int | None = None
    guest_name: str | None = None
    day: dt.date


TABLES = [Visit]
MIGRATIONS = Path(__file__).with_name("visits_migrations")


@hookimpl
def export_member_data(data, member_id):
    return [visit.day.isoformat() for visit in data.rows(Visit, Visit.member_id == member_id)]


@hookimpl
def erase_member_data(data, member_id):
    data.delete_where(Visit, Visit.member_id == member_id)
    raise RuntimeError("half done")


@hookimpl
def purge_personal_data(data, today):
    return data.delete_where(Visit, col(Visit.guest_name).is_not(None),
                             Visit.day < today - dt.timedelta(days=30))
'''

VISITS_MIGRATION = '''
"""Visits

Revision ID: visits_0001
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "visits_0001"
down_revision = None
branch_labels = ("visits",)
depends_on = None


def upgrade():
    op.create_table("visits_visit",
                    sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("region_id", sa.Integer(), sa.ForeignKey("region.id"),
                              nullable=False, index=True),
                    sa.Column("member_id", sa.Integer(), nullable=True),
                    sa.Column("guest_name", sa.String(), nullable=True),
                    sa.Column("day", sa.Date(), nullable=False))


def downgrade():
    op.drop_table("visits_visit")
'''


def test_hook_purge_personal_data(
        db_kit: RegionKit, capsys: pytest.CaptureFixture[str]) -> None:
    lot = db_kit.region("lot", plugins={"visits.py": VISITS,
                                        "visits_migrations/visits_0001.py": VISITS_MIGRATION})
    instance = db_kit.instance([lot])
    try:  # a failing erasure hook is contained; the purge reaches what it left
        visit = instance.plugins.records["lot.visits"].tables[0]
        today = dt.date.today()
        with Session(instance.engine) as session:
            member = Member(region_id=region_id_of(session, "lot"), first_name="Ana",
                            last_name="Lopez", sector_slug=sorted(SECTORS_BY_SLUG)[0])
            session.add(member)
            session.commit()
            member_id = int(member.id or 0)
        with instance.plugins.store("lot.visits", "lot").open() as data:
            for fields in ({"member_id": member_id}, {"guest_name": "Old guest"},
                           {"guest_name": "New guest", "day": today}):
                data.add(visit(**{"day": dt.date(2020, 1, 1), **fields}))
        with Session(instance.engine) as session:
            member = session.get(Member, member_id)
            assert member is not None
            erase_member(session, member, instance)
            session.commit()
            assert member.erased_at is not None  # erased, though the plug-in failed
        (failure,) = instance.plugins.records["lot.visits"].failures
        assert (failure.hook, failure.message) == ("erase_member_data",
                                                   "RuntimeError: half done")
        capsys.readouterr()
        assert main(["purge", "--db", db_kit.database_url, str(lot)]) == 0
        assert "1 row(s) of plug-in lot.visits purged." in capsys.readouterr().out
        with instance.plugins.store("lot.visits", "lot").open() as data:
            left = data.rows(visit, order_by=visit.id)
        # the member's visit is still there: the failing hook's deletion was undone
        assert [(v.member_id, v.guest_name) for v in left] == [
            (member_id, None), (None, "New guest")]
    finally:
        instance.engine.dispose()
