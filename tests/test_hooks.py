"""One test per hook: a small plug-in implements it in a throwaway region, and its effect
is checked through the application, as docs/plugins.md describes it.

tests/test_docs.py requires a ``test_hook_<name>`` function for every hook.
"""

from __future__ import annotations

import datetime as dt

from campagne.plugin_types import CandidateProfile, MemberEvent
from campagne.testing import RegionKit, minimal_region

THEME = {"primary_color": "#245b2c"}

DESKS = '''
from campagne import hookimpl
from campagne.config import Price
from campagne.plugin_types import ServiceSpec


@hookimpl
def register_services(region):
    return [ServiceSpec(
        slug="bureau-de-nuit",
        category="office_access",
        name={"fr": "Bureau de nuit", "en": "Night desk"},
        description={"fr": f"Un bureau ouvert la nuit, dans le {region.name}.",
                     "en": f"A desk open at night, in the {region.name}."},
        delivered_by="Mairie d'essai",
        price=Price(free=False, amount=4, illustrative=True),
    )]
'''


def test_hook_register_services(kit: RegionKit) -> None:
    folder = kit.region("lot", plugins={"desks.py": DESKS})
    with kit.client([folder]) as client:
        services = client.get("/api/v1/regions/lot/services").json()
        added = next(s for s in services if s["slug"] == "bureau-de-nuit")
        assert added["plugin"] == "lot.desks"
        assert added["category"] == "office_access"
        assert added["price"]["amount"] == 4 and added["price"]["illustrative"] is True
        # The region's own services are still there.
        assert "accueil" in {s["slug"] for s in services}
        one = client.get("/api/v1/regions/lot/services/bureau-de-nuit")
        assert one.status_code == 200 and one.json()["name"]["en"] == "Night desk"

        page = client.get("/lot/services/bureau-de-nuit?lang=en")
        assert page.status_code == 200
        assert "Night desk" in page.text and "A desk open at night, in the Lot." in page.text
        assert 'href="/lot/services/bureau-de-nuit"' in client.get("/lot/services").text


def test_register_services_slug_clash_is_contained(kit: RegionKit) -> None:
    """A plug-in service may not take the slug of one of the region's own services."""
    clash = DESKS.replace('slug="bureau-de-nuit"', 'slug="accueil"')
    folder = kit.region("lot", plugins={"desks.py": clash})
    with kit.client([folder]) as client:
        services = client.get("/api/v1/regions/lot/services").json()
        assert [s["plugin"] for s in services if s["slug"] == "accueil"] == [None]
        [record] = [r for r in client.get("/api/v1/plugins").json() if r["name"] == "lot.desks"]
        assert record["status"] == "failing"
        assert "already used" in record["failures"][0]["message"]


BONUS = '''
from pydantic import BaseModel, ConfigDict, Field

from campagne import hookimpl
from campagne.plugin_types import Incentive


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    bonus_eur: float = Field(ge=0)


@hookimpl
def incentives_for_profile(settings, profile):
    founder = profile.status == "founder"
    return [Incentive(
        key="founder-bonus",
        title={"fr": "Prime à la création", "en": "Founder bonus"},
        eligible=founder,
        reasons=({"fr": "Pour les créateurs.", "en": "For founders."},),
        yearly_value_eur=settings.bonus_eur if founder else None,
        illustrative=True,
    )]
'''


def test_hook_incentives_for_profile(kit: RegionKit) -> None:
    config = minimal_region("lot", plugins={"bonus": {"bonus_eur": 750}})
    folder = kit.region("lot", config=config, plugins={"bonus.py": BONUS})
    instance = kit.instance([folder])
    try:
        region = instance.regions["lot"].info()
        founder = instance.plugins.incentives(region, CandidateProfile(status="founder"))
        assert founder.failed_plugins == []
        [(plugin, incentive)] = founder.incentives
        assert plugin == "lot.bonus"
        assert incentive.key == "founder-bonus"
        assert incentive.eligible and incentive.yearly_value_eur == 750

        employee = instance.plugins.incentives(
            region, CandidateProfile(status="employee_teleworker"))
        [(_, refused)] = employee.incentives
        assert not refused.eligible and refused.yearly_value_eur is None
        assert refused.reasons[0]["en"] == "For founders."
    finally:
        instance.engine.dispose()


def test_incentives_for_profile_failure_is_listed(kit: RegionKit) -> None:
    """A plug-in that raises is named in the result, never silently dropped."""
    broken = BONUS.replace("founder = profile.status", "founder = 1 / 0 or profile.status")
    config = minimal_region("lot", plugins={"bonus": {"bonus_eur": 750}})
    folder = kit.region("lot", config=config, plugins={"bonus.py": broken})
    instance = kit.instance([folder])
    try:
        result = instance.plugins.incentives(instance.regions["lot"].info(), CandidateProfile())
        assert result.incentives == [] and result.failed_plugins == ["lot.bonus"]
        [failure] = instance.plugins.records["lot.bonus"].failures
        assert failure.hook == "incentives_for_profile" and "ZeroDivisionError" in failure.message
    finally:
        instance.engine.dispose()


OPENING_HOURS = '''
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from campagne import hookimpl


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    opens: str = "09:00"


@hookimpl
def register_api_routes(region, settings):
    router = APIRouter()

    @router.get("/hours")
    def hours() -> dict[str, str]:
        return {"region": region.slug, "opens": settings.opens}

    return router
'''


def test_hook_register_api_routes(kit: RegionKit) -> None:
    lot = kit.region("lot", config=minimal_region("lot", plugins={"hours": {"opens": "08:30"}}),
                     plugins={"hours.py": OPENING_HOURS})
    cantal = kit.region("cantal", code="15")
    with kit.client([lot, cantal]) as client:
        answer = client.get("/api/v1/regions/lot/plugins/hours/hours")
        assert answer.status_code == 200
        assert answer.json() == {"region": "lot", "opens": "08:30"}
        # Only where the plug-in is enabled.
        assert client.get("/api/v1/regions/cantal/plugins/hours/hours").status_code == 404
        paths = client.get("/openapi.json").json()["paths"]
        assert "/api/v1/regions/lot/plugins/hours/hours" in paths


GUIDE = '''
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from campagne import hookimpl


@hookimpl
def register_pages(region):
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse)
    def guide(request: Request) -> HTMLResponse:
        renderer = request.app.state.renderer
        folder = request.app.state.instance.region(region.slug)
        return renderer.render(request, "guide/page.html", {"villages": ["Figeac", "Cahors"]},
                               region=folder, page="guide")

    return router


@hookimpl
def template_dirs():
    return [Path(__file__).with_name("guide_templates")]
'''

GUIDE_PAGE = """{% extends "base.html" %}
{% block title %}{{ _("Guide") }} · {{ region.config.name }}{% endblock %}
{% block content %}
<h1>Guide ({{ locale }})</h1>
<ul>{% for village in villages %}<li>{{ village }}</li>{% endfor %}</ul>
{% endblock %}
"""


def test_hook_register_pages(kit: RegionKit) -> None:
    config = minimal_region("lot", theme=THEME)
    lot = kit.region("lot", config=config, plugins={
        "guide.py": GUIDE, "guide_templates/guide/page.html": GUIDE_PAGE})
    cantal = kit.region("cantal", code="15")
    with kit.client([lot, cantal]) as client:
        page = client.get("/lot/plugins/guide/?lang=en")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "<h1>Guide (en)</h1>" in page.text and "<li>Cahors</li>" in page.text
        # The region's page layout and theme, and the security headers of every page.
        assert '<link rel="stylesheet" href="/lot/theme.css">' in page.text
        assert "Programme d&#39;essai" in page.text
        assert "content-security-policy" in page.headers
        assert "#245b2c" in client.get("/lot/theme.css").text
        assert client.get("/cantal/plugins/guide/").status_code == 404
        assert "/lot/plugins/guide/" not in client.get("/openapi.json").json()["paths"]


BRIGHT = '''
from pathlib import Path

from campagne import hookimpl


@hookimpl
def template_dirs(region):
    return [Path(__file__).with_name("bright_templates")]
'''

BRIGHT_HOME = """{% extends "core:region_home.html" %}
{% block region_extra %}<p id="bright">Bright home of {{ region.config.name }}</p>{% endblock %}
"""


def test_hook_template_dirs(kit: RegionKit) -> None:
    plugin_files = {
        "bright.py": BRIGHT,
        "bright_templates/region_home.html": BRIGHT_HOME,
        "bright_templates/service.html": '{% extends "core:service.html" %}'
                                         '{% block title %}Bright service{% endblock %}',
    }
    # The region's own templates/ come before the plug-in's folders.
    region_service = '{% extends "core:service.html" %}{% block title %}Own service{% endblock %}'
    lot = kit.region("lot", plugins=plugin_files, templates={"service.html": region_service})
    cantal = kit.region("cantal", code="15")
    with kit.client([lot, cantal]) as client:
        home = client.get("/lot/")
        assert home.status_code == 200
        assert '<p id="bright">Bright home of Lot</p>' in home.text
        # The override extends the core template: its content is still there.
        assert "Programme d&#39;essai" in home.text
        service = client.get("/lot/services/accueil")
        assert "<title>Own service</title>" in service.text
        assert 'id="bright"' not in client.get("/cantal/").text


BRIGHT_VARS = '''
from campagne import hookimpl


@hookimpl
def extra_template_vars(page, locale):
    if page != "region_home":
        return {}
    return {"weather": "ensoleillé" if locale == "fr" else "sunny"}
'''

WEATHER_HOME = """{% extends "core:region_home.html" %}
{% block region_extra %}<p id="weather">{{ weather | default("no weather") }}</p>{% endblock %}
"""


def test_hook_extra_template_vars(kit: RegionKit) -> None:
    lot = kit.region("lot", plugins={"weather.py": BRIGHT_VARS},
                     templates={"region_home.html": WEATHER_HOME})
    with kit.client([lot]) as client:
        assert '<p id="weather">ensoleillé</p>' in client.get("/lot/").text
        assert '<p id="weather">sunny</p>' in client.get("/lot/?lang=en").text


def test_extra_template_vars_name_clash_names_both(kit: RegionKit) -> None:
    """Two plug-ins giving the same name: the variable is dropped, both are named."""
    lot = kit.region("lot", plugins={"weather.py": BRIGHT_VARS, "weather_too.py": BRIGHT_VARS},
                     templates={"region_home.html": WEATHER_HOME})
    with kit.client([lot]) as client:
        assert '<p id="weather">no weather</p>' in client.get("/lot/").text
        records = {r["name"]: r for r in client.get("/api/v1/plugins").json()}
        for name, other in (("lot.weather", "lot.weather_too"), ("lot.weather_too", "lot.weather")):
            assert records[name]["status"] == "failing"
            assert other in records[name]["failures"][0]["message"]


LISTENER = '''
from campagne import hookimpl

EVENTS = []


@hookimpl
def on_member_event(region, event):
    EVENTS.append((region.slug, event))
'''


def test_hook_on_member_event(kit: RegionKit) -> None:
    lot = kit.region("lot", plugins={"listener.py": LISTENER})
    cantal = kit.region("cantal", code="15")
    instance = kit.instance([lot, cantal])
    try:
        at = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
        joined = MemberEvent(kind="joined", region_slug="lot", member_id=7,
                             sector="it_internet_ecommerce", occurred_at=at)
        elsewhere = MemberEvent(kind="joined", region_slug="cantal", member_id=8, occurred_at=at)
        instance.plugins.notify_member_event(instance.regions["lot"].info(), joined)
        instance.plugins.notify_member_event(instance.regions["cantal"].info(), elsewhere)
        events = instance.plugins.records["lot.listener"].plugin.EVENTS  # type: ignore[attr-defined]
        assert events == [("lot", joined)]
    finally:
        instance.engine.dispose()


def test_on_member_event_failure_is_contained(kit: RegionKit) -> None:
    broken = LISTENER.replace("EVENTS.append(",
                              "raise RuntimeError('listener down'); EVENTS.append(")
    lot = kit.region("lot", plugins={"listener.py": broken})
    instance = kit.instance([lot])
    try:
        event = MemberEvent(kind="left", region_slug="lot", member_id=1,
                            occurred_at=dt.datetime.now(dt.UTC))
        instance.plugins.notify_member_event(instance.regions["lot"].info(), event)
        [failure] = instance.plugins.records["lot.listener"].failures
        assert failure.hook == "on_member_event" and failure.region == "lot"
        assert failure.message == "RuntimeError: listener down"
    finally:
        instance.engine.dispose()


def test_hooks_run_in_plugin_name_order(kit: RegionKit) -> None:
    """Results are collected from every plug-in, in the order of their names."""
    def source(name: str) -> str:
        return BONUS.replace('key="founder-bonus"', f'key="{name}"')

    settings = {name: {"bonus_eur": 1} for name in ("zeta", "alpha", "mid")}
    folder = kit.region("lot", config=minimal_region("lot", plugins=settings),
                        plugins={f"{name}.py": source(name) for name in settings})
    instance = kit.instance([folder])
    try:
        result = instance.plugins.incentives(instance.regions["lot"].info(), CandidateProfile())
        assert [plugin for plugin, _ in result.incentives] == ["lot.alpha", "lot.mid", "lot.zeta"]
    finally:
        instance.engine.dispose()
