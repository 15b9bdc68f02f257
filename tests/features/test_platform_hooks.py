"""The hooks the engine's features are built on, used by a region's own plug-in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from accounts_kit import populate, sign_in
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from campagne.app import create_app
from campagne.demo import generate_region_demo
from campagne.models import Region
from campagne.testing import RegionKit

VILLAGES = '''
from pathlib import Path

from fastapi import APIRouter

from campagne.toolkit import MenuEntry, Routes, hookimpl

router = APIRouter()


@router.get("/{slug}/villages")
def villages(slug: str) -> dict[str, str]:
    return {"region": slug}


@hookimpl
def app_routes():
    return [Routes(router, order=450)]


@hookimpl
def menu_entries(locale):
    label = "Villages partenaires" if locale == "fr" else "Partner villages"
    return [MenuEntry(label=label, path="villages", page="villages", order=35)]


@hookimpl
def site_template_dirs():
    return [Path(__file__).parent.parent / "site-templates"]
'''

BROKEN_ROUTES = '''
from campagne.toolkit import hookimpl


@hookimpl
def app_routes():
    return ["not a route set"]
'''


def test_hook_app_routes(tmp_path: Path) -> None:
    """Fixed-path routes of a plug-in answer in its region and 404 in the others; a wrong
    answer is a recorded failure and the application still starts."""
    kit = RegionKit(tmp_path)
    lot = kit.region("lot", plugins={"villages.py": VILLAGES, "broken.py": BROKEN_ROUTES})
    cantal = kit.region("cantal", code="15")
    with kit.client([lot, cantal]) as client:
        assert client.get("/lot/villages").json() == {"region": "lot"}
        assert client.get("/cantal/villages").status_code == 404
        listed = {p["name"]: p for p in client.get("/api/v1/plugins").json()}
    assert "app_routes" in listed["lot.villages"]["hooks"]
    [failure] = listed["lot.broken"]["failures"]
    assert failure["hook"] == "app_routes" and "expected a list of Routes" in failure["message"]


def test_hook_menu_entries(tmp_path: Path) -> None:
    """A plug-in's entry appears in its region's menu, in the page's language and at its
    order (after the inquiry form, 30, before the meetups, 40); not in another region."""
    kit = RegionKit(tmp_path)
    lot = kit.region("lot", plugins={"villages.py": VILLAGES})
    cantal = kit.region("cantal", code="15")
    with kit.client([lot, cantal]) as client:
        french = client.get("/lot/services?lang=fr").text
        english = client.get("/lot/services?lang=en").text
        other = client.get("/cantal/services").text
    assert 'href="/lot/villages">Villages partenaires</a>' in french
    assert 'href="/lot/villages">Partner villages</a>' in english
    positions = [french.index(link) for link in
                 ('href="/lot/candidater"', 'href="/lot/villages"', 'href="/lot/rencontres"')]
    assert positions == sorted(positions)
    assert "villages" not in other


def test_hook_site_template_dirs(tmp_path: Path) -> None:
    """A template of a plug-in's site folder replaces the core's, on every page."""
    kit = RegionKit(tmp_path)
    lot = kit.region("lot", plugins={"villages.py": VILLAGES})
    layout = lot / "site-templates" / "layout"
    layout.mkdir(parents=True)
    core_footer = (Path(__file__).parents[2] / "core" / "templates" / "layout" / "footer.html")
    (layout / "footer.html").write_text(
        core_footer.read_text(encoding="utf-8") + "<p>Réseau des villages</p>",
        encoding="utf-8")
    with kit.client([lot]) as client:
        assert "Réseau des villages" in client.get("/lot/services").text
        assert "Réseau des villages" in client.get("/").text  # a page without a region


DEMO = '''
from campagne.toolkit import hookimpl

CALLS = []


@hookimpl
def demo_data(region, data):
    CALLS.append((region.slug, data.region_id))
    return 3


@hookimpl
def app_routes():
    return None
'''

FAILING_DEMO = '''
from campagne.toolkit import hookimpl


@hookimpl
def demo_data():
    raise RuntimeError("no demo today")
'''


def test_hook_demo_data(tmp_path: Path) -> None:
    """The demo calls each enabled plug-in once per region, after the demo members; a
    failing one is contained and recorded, the demo goes on."""
    kit = RegionKit(tmp_path)
    lot = kit.region("lot", plugins={"demo.py": DEMO, "failing.py": FAILING_DEMO})
    instance = kit.instance([lot])
    try:
        with Session(instance.engine) as session:
            region = session.exec(select(Region).where(Region.slug == "lot")).one()
            assert generate_region_demo(instance, session, region) > 0
            session.commit()
            again = generate_region_demo(instance, session, region)
        plugin = instance.plugins.records["lot.demo"].plugin
        assert [("lot", region.id)] == plugin.CALLS  # type: ignore[attr-defined]
        assert again == 0  # a filled region is left as it is
        [failure] = instance.plugins.records["lot.failing"].failures
        assert (failure.hook, failure.message) == ("demo_data", "RuntimeError: no demo today")
    finally:
        instance.engine.dispose()


PAYMENTS = '''
from pathlib import Path

from campagne.toolkit import MenuEntry, Panel, hookimpl


@hookimpl
def staff_menu_entries(locale):
    label = "Versements" if locale == "fr" else "Grant payments"
    return [MenuEntry(label=label, path="staff/payments", page="staff_payments", order=60)]


@hookimpl
def page_panels(page, member_id):
    if page == "account" and member_id is not None:
        return [Panel("payments_panel.html", context={"who": f"member {member_id}"}, order=50)]
    if page == "broken":
        raise RuntimeError("never asked")
    return []


@hookimpl
def template_dirs():
    return [Path(__file__).parent / "payments-templates"]
'''


def _gers_with_payments(kit: RegionKit) -> Path:
    gers = kit.reference_copy("gers")
    (gers / "plugins" / "payments.py").write_text(PAYMENTS, encoding="utf-8")
    (gers / "plugins" / "payments-templates").mkdir()
    (gers / "plugins" / "payments-templates" / "payments_panel.html").write_text(
        '<section id="payments"><h2>{{ _("Grant payments") }}</h2>'
        "<p>{{ who }} · {{ panel.order }} · {{ record.region }}</p></section>",
        encoding="utf-8")
    return gers


@contextmanager
def _clients(kit: RegionKit, folders: list[Path]) -> Iterator[Callable[[str], TestClient]]:
    """Serve ``folders`` with the test accounts; yield a maker of clients signed in as a
    role."""
    instance = kit.instance(folders)
    populate(instance)
    app = create_app(instance)
    opened: list[TestClient] = []

    def signed_in(role: str) -> TestClient:
        client = TestClient(app, raise_server_exceptions=False)
        opened.append(client.__enter__())
        sign_in(client, role)
        return client

    try:
        yield signed_in
    finally:
        for client in opened:
            client.__exit__(None, None, None)
        instance.engine.dispose()


def test_hook_staff_menu_entries(region_kit: RegionKit) -> None:
    """A plug-in's link joins the staff menu of its region, after the core's, and the
    staff's account page lists it for that region only."""
    gers, orne = _gers_with_payments(region_kit), region_kit.reference_copy("orne")
    with _clients(region_kit, [gers, orne]) as signed_in:
        client = signed_in("staff_gers")
        members = client.get("/gers/staff/members?lang=fr").text
        links = [members.index(f'href="/gers/staff/{path}"')
                 for path in ("", "pipeline", "members", "meetups", "spaces", "payments")]
        assert links == sorted(links)
        assert 'href="/gers/staff/payments">Versements</a>' in members
        assert 'href="/gers/staff/members" aria-current="page"' in members
        assert 'href="/gers/staff/payments">Grant payments</a>' in client.get(
            "/account/?lang=en").text
        client = signed_in("staff_orne")
        assert "staff/payments" not in client.get("/account/").text
        assert "staff/payments" not in client.get("/orne/staff/members").text


def test_hook_page_panels(region_kit: RegionKit) -> None:
    """A plug-in's panel shows on the account page of a member of its region, among the
    features' panels by order, with the page's variables and its own."""
    gers = _gers_with_payments(region_kit)
    with _clients(region_kit, [gers, region_kit.reference_copy("orne")]) as signed_in:
        page = signed_in("member").get("/account/?lang=en").text
    assert '<section id="payments"><h2>Grant payments</h2>' in page
    assert "member " in page and "· 50 · gers</p>" in page
    order = [page.index(marker) for marker in
             ('id="my-follow-up"', 'id="bookings"', 'id="payments"', 'href="/account/meetups"')]
    assert order[:3] == sorted(order[:3]) and order[3] > order[1]


def test_a_failing_panel_leaves_the_page_whole(region_kit: RegionKit) -> None:
    gers = _gers_with_payments(region_kit)
    (gers / "plugins" / "payments-templates" / "payments_panel.html").write_text(
        "{{ who|money|nope }}", encoding="utf-8")  # an unknown filter fails at rendering
    with _clients(region_kit, [gers, region_kit.reference_copy("orne")]) as signed_in:
        client = signed_in("member")
        page = client.get("/account/")
        assert page.status_code == 200 and 'id="my-follow-up"' in page.text
        plugins = {p["name"]: p for p in client.get("/api/v1/plugins").json()}
    failures = plugins["gers.payments"]["failures"]  # one per view of the page
    assert {(f["hook"], f["region"]) for f in failures} == {("page_panels", "gers")}
    assert "No filter named 'nope'" in failures[-1]["message"]
