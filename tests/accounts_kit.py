"""Test helpers: an instance of the reference regions with demo members and one account
per role (administrator, Gers staff, Gers read-only staff, Orne staff, a Gers member)."""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from campagne.app import create_app
from campagne.auth.accounts import create_account
from campagne.auth.models import Role
from campagne.demo import generate_region_demo
from campagne.instance import Instance
from campagne.models import Member, Region
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit

PASSWORD = "correct horse battery staple"
ROLES = ("anonymous", "member", "staff_gers", "reader_gers", "staff_orne", "admin")
EMAILS = {"member": "member@example.org", "staff_gers": "staff-gers@example.org",
          "reader_gers": "reader-gers@example.org", "staff_orne": "staff-orne@example.org",
          "admin": "admin@example.org"}


@dataclass
class World:
    """A running app with its accounts."""

    client: TestClient
    instance: Instance
    gers_member: int
    orne_member: int
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, role: str) -> dict[str, str]:
        """Authorization headers for ``role`` (none for anonymous)."""
        if role == "anonymous":
            return {}
        if role not in self.tokens:
            response = self.client.post("/api/v1/auth/token", data={
                "username": EMAILS[role], "password": PASSWORD})
            assert response.status_code == 200, response.text
            self.tokens[role] = response.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def populate(instance: Instance) -> tuple[int, int]:
    """Demo members and the accounts; return a Gers and an Orne member id."""
    with Session(instance.engine) as session:
        ids = {}
        for slug in instance.regions:
            region = session.exec(select(Region).where(Region.slug == slug)).one()
            generate_region_demo(instance, session, region)
            session.flush()
            ids[slug] = session.exec(select(Member.id).where(Member.region_id == region.id)
                                     .order_by(col(Member.id))).first()
        settings = instance.settings
        create_account(session, settings, email=EMAILS["admin"], role=Role.ADMIN,
                       password=PASSWORD)
        create_account(session, settings, email=EMAILS["staff_gers"], role=Role.STAFF,
                       regions=["gers"], password=PASSWORD)
        create_account(session, settings, email=EMAILS["reader_gers"], role=Role.STAFF,
                       regions=["gers"], read_only=True, password=PASSWORD)
        create_account(session, settings, email=EMAILS["staff_orne"], role=Role.STAFF,
                       regions=["orne"], password=PASSWORD)
        create_account(session, settings, email=EMAILS["member"], role=Role.MEMBER,
                       member_id=ids["gers"], password=PASSWORD)
        session.commit()
    return int(ids["gers"] or 0), int(ids["orne"] or 0)


@contextmanager
def world(folder: Path, database_url: str | None = None,
          base_url: str = "http://testserver", *, populated: bool = False) -> Iterator[World]:
    """Build the instance and serve it to a test client (``populated``: the database
    already holds the members and accounts). A new SQLite database starts as a copy of one
    populated once per process (:func:`populated_sqlite_copy`); PostgreSQL's is populated."""
    kit = RegionKit(folder, database_url)
    if not populated and (ids := populated_sqlite_copy(kit.database_url)) is not None:
        instance, (gers, orne) = kit.instance(reference_region_paths()), ids
    else:
        instance = kit.instance(reference_region_paths())
        gers, orne = (0, 0) if populated else populate(instance)
    try:
        with TestClient(create_app(instance), raise_server_exceptions=False,
                        base_url=base_url) as client:
            yield World(client, instance, gers, orne)
    finally:
        instance.engine.dispose()


_POPULATED: dict[str, tuple[Path, tuple[int, int]]] = {}


def populated_sqlite_copy(database_url: str) -> tuple[int, int] | None:
    """Put a copy of a database populated once per process (reference regions, demo data,
    the accounts) where the SQLite ``database_url`` points; return the Gers and Orne
    member ids. ``None`` for another database, or a file that already exists. Populating
    takes seconds; copying the file, milliseconds."""
    prefix = "sqlite:///"
    if not database_url.startswith(prefix):
        return None
    target = Path(database_url.removeprefix(prefix))
    if target.exists():
        return None
    if "reference" not in _POPULATED:
        folder = Path(tempfile.mkdtemp(prefix="campagne-populated-"))
        atexit.register(shutil.rmtree, folder, True)
        instance = RegionKit(folder).instance(reference_region_paths())
        try:
            ids = populate(instance)
        finally:
            instance.engine.dispose()
        _POPULATED["reference"] = (folder / "campagne-test.db", ids)
    template, ids = _POPULATED["reference"]
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    return ids


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def sign_in(client: TestClient, role: str = "staff_gers") -> str:
    """Sign in through the form; return the session's CSRF token."""
    token = CSRF.search(client.get("/account/sign-in").text)
    assert token
    response = client.post("/account/sign-in", follow_redirects=False, data={
        "csrf": token.group(1), "email": EMAILS[role], "password": PASSWORD})
    assert response.status_code == 303, response.text
    found = CSRF.search(client.get("/account/").text)
    assert found
    return found.group(1)


def sign_in_afresh(client: TestClient, role: str = "staff_gers") -> str:
    """Forget the client's cookies, then sign in as ``role``; return the CSRF token."""
    client.cookies.clear()
    return sign_in(client, role)


def sign_in_world(w: World, role: str) -> str:
    """Open a page session as ``role`` on the world's client; return its CSRF token."""
    return sign_in_afresh(w.client, role)


def signed_in_client(w: World, role: str) -> tuple[TestClient, str]:
    """A new client signed in as ``role`` (no redirects followed) and its CSRF token."""
    client = TestClient(w.client.app, follow_redirects=False)
    return client, sign_in(client, role)


def book_for_the_member(session: Session, space_id: int) -> int:
    """A desk booked tomorrow morning at ``space_id`` by the member account (committed);
    its id, for the pages that show a member's own booking."""
    import datetime as dt

    from campagne.auth.models import UserAccount
    from campagne.features.spaces.models import Booking, BookingSlot

    account = session.exec(select(UserAccount).where(
        UserAccount.email == EMAILS["member"])).one()
    booking = Booking(space_id=space_id, day=dt.date.today() + dt.timedelta(days=1),
                      slot=BookingSlot.MORNING.value, member_id=account.member_id,
                      booked_by_id=account.id)
    session.add(booking)
    session.commit()
    assert booking.id is not None
    return booking.id
