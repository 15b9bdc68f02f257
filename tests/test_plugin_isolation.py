"""A plug-in cannot take a page down nor hide another plug-in: its exceptions and wrong
answers are contained, recorded and shown in ``/api/v1/plugins``; and it only ever
gets read-only data."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from pydantic import ValidationError

from campagne.plugin_loading import build_plugin_manager
from campagne.plugin_manager import CampagnePluginManager
from campagne.plugin_types import CandidateProfile, MemberEvent
from campagne.regions import RegionFolder, load_region_folders
from campagne.testing import RegionKit, minimal_region

HEAD = '''
from fastapi import APIRouter
from campagne import hookimpl
from campagne.plugin_types import Incentive, ServiceSpec


def service(slug):
    return ServiceSpec(slug=slug, category="coworking", name={"fr": slug.capitalize()},
                       description={"fr": "Un service de " + slug}, delivered_by="Mairie")


def incentive(key):
    return Incentive(key=key, title={"fr": key}, eligible=True)
'''

BOOM = HEAD + '''

@hookimpl
def register_services():
    raise RuntimeError("catalogue down")


@hookimpl
def extra_template_vars(page):
    raise RuntimeError("template boom on " + page)


@hookimpl
def incentives_for_profile(profile):
    raise RuntimeError("no incentives today")


@hookimpl
def register_api_routes():
    raise RuntimeError("no routes today")


@hookimpl
def on_member_event(event):
    raise RuntimeError("event lost")
'''

GOOD = HEAD + '''

@hookimpl
def register_services():
    return [service("salle-reunion")]


@hookimpl
def extra_template_vars(page):
    return {"good_note": "note-from-good"} if page == "region_home" else {}


@hookimpl
def incentives_for_profile():
    return [incentive("good-offer")]


@hookimpl
def register_api_routes(region):
    router = APIRouter()

    @router.get("/ping")
    def ping():
        return {"region": region.slug}

    return router
'''

WRONG_TYPES = HEAD + '''

@hookimpl
def register_services():
    return {"slug": "not-a-list"}


@hookimpl
def incentives_for_profile():
    return [{"key": "a-dict-not-an-incentive"}]


@hookimpl
def extra_template_vars():
    return ["not", "a", "dict"]


@hookimpl
def register_pages():
    return "not a router"


@hookimpl
def template_dirs():
    return ["a/string/not/a/path"]
'''

HOME_OVERRIDE = {"region_home.html": (
    '{% extends "core:region_home.html" %}{% block region_extra %}'
    '<p id="plugin-vars">{{ good_note }}|{{ shared | default("no-shared") }}|'
    '{{ alpha_only }}|{{ beta_only }}</p>{% endblock %}')}

PROFILE = CandidateProfile(status="founder")


def loaded(kit: RegionKit, plugins: dict[str, str], slug: str = "lot",
           **overrides: Any) -> tuple[CampagnePluginManager, RegionFolder]:
    folder = kit.region(slug, plugins=plugins, config=minimal_region(slug, **overrides))
    (region,) = load_region_folders([folder])
    return build_plugin_manager([region], load_entry_points=False), region


def failures(manager: CampagnePluginManager, plugin: str) -> list[tuple[str, str]]:
    return [(failure.hook, failure.message) for failure in manager.records[plugin].failures]


def plugins_api(client: Any) -> dict[str, dict[str, Any]]:
    answer = client.get("/api/v1/plugins")
    assert answer.status_code == 200
    return {plugin["name"]: plugin for plugin in answer.json()}


# -- exceptions --------------------------------------------------------------------


def test_a_failing_plugin_is_named_while_pages_and_api_still_answer(kit: RegionKit) -> None:
    folder = kit.region(plugins={"boom.py": BOOM, "good.py": GOOD}, templates=HOME_OVERRIDE)
    with kit.client([folder]) as client:
        home = client.get("/lot/")
        assert home.status_code == 200
        assert "note-from-good|no-shared" in home.text
        services = client.get("/api/v1/regions/lot/services")
        assert services.status_code == 200
        by_slug = {service["slug"]: service for service in services.json()}
        assert set(by_slug) == {"accueil", "salle-reunion"}
        assert by_slug["salle-reunion"]["plugin"] == "lot.good"
        assert by_slug["accueil"]["plugin"] is None
        assert client.get("/lot/services").status_code == 200
        assert client.get("/api/v1/regions/lot/plugins/good/ping").json() == {"region": "lot"}
        assert client.get("/api/v1/regions/lot/plugins/boom/ping").status_code == 404

        listed = plugins_api(client)
        assert listed["lot.good"]["status"] == "ok"
        assert listed["lot.good"]["failures"] == []
        boom = listed["lot.boom"]
        assert boom["status"] == "failing"
        seen = {(f["hook"], f["message"], f["region"]) for f in boom["failures"]}
        assert {
            ("register_services", "RuntimeError: catalogue down", "lot"),
            ("register_api_routes", "RuntimeError: no routes today", "lot"),
            ("extra_template_vars", "RuntimeError: template boom on region_home", "lot"),
        } <= seen
        assert all(dt.datetime.fromisoformat(f["at"]) for f in boom["failures"])
        assert "Traceback" not in home.text


def test_a_contained_failure_is_logged_with_the_plugins_name(
        kit: RegionKit, caplog: pytest.LogCaptureFixture) -> None:
    manager, region = loaded(kit, {"boom.py": BOOM})
    with caplog.at_level(logging.ERROR, logger="campagne.plugin_manager"):
        assert manager.services(region.info()) == []
    (record,) = caplog.records
    assert "'lot.boom'" in record.getMessage()
    assert "register_services" in record.getMessage()
    assert "RuntimeError: catalogue down" in record.getMessage()


def test_incentives_of_a_failing_plugin_are_listed_as_failed(kit: RegionKit) -> None:
    manager, region = loaded(kit, {"boom.py": BOOM, "good.py": GOOD,
                                   "wrong.py": WRONG_TYPES})
    result = manager.incentives(region.info(), PROFILE)
    assert [(plugin, incentive.key) for plugin, incentive in result.incentives] == [
        ("lot.good", "good-offer")]
    assert result.failed_plugins == ["lot.boom", "lot.wrong"]
    assert failures(manager, "lot.boom") == [
        ("incentives_for_profile", "RuntimeError: no incentives today")]
    (hook, message), = failures(manager, "lot.wrong")
    assert hook == "incentives_for_profile"
    assert message.startswith("TypeError: expected a list of Incentive")


def test_a_failing_member_event_hook_is_contained(kit: RegionKit) -> None:
    manager, region = loaded(kit, {"boom.py": BOOM})
    event = MemberEvent(kind="joined", region_slug="lot", member_id=1,
                        occurred_at=dt.datetime(2024, 5, 1, tzinfo=dt.UTC))
    manager.notify_member_event(region.info(), event)
    assert failures(manager, "lot.boom") == [("on_member_event", "RuntimeError: event lost")]


def test_only_the_last_failures_are_kept(kit: RegionKit) -> None:
    manager, region = loaded(kit, {"boom.py": BOOM})
    for _ in range(50):
        manager.incentives(region.info(), PROFILE)
    assert len(manager.records["lot.boom"].failures) == 20


# -- wrong answers -------------------------------------------------------------------


def test_answers_of_the_wrong_type_are_recorded_as_failures(kit: RegionKit) -> None:
    manager, region = loaded(kit, {"wrong.py": WRONG_TYPES, "good.py": GOOD})
    info = region.info()
    assert [(plugin, spec.slug) for plugin, spec in manager.services(info)] == [
        ("lot.good", "salle-reunion")]
    assert manager.template_vars(info, "region_home", "fr") == {"good_note": "note-from-good"}
    assert manager.template_dirs(info) == []
    assert [short for short, _ in manager.routers(info, "register_pages")] == []
    hooks = dict(failures(manager, "lot.wrong"))
    assert hooks["register_services"].startswith("TypeError: expected a list of ServiceConfig")
    assert hooks["extra_template_vars"] == "TypeError: expected a dict"
    assert hooks["template_dirs"].startswith("TypeError: expected a list of Path")
    assert hooks["register_pages"] == "TypeError: expected an APIRouter"
    assert failures(manager, "lot.good") == []


def test_a_plugin_of_the_wrong_type_does_not_break_the_app(kit: RegionKit) -> None:
    folder = kit.region(plugins={"wrong.py": WRONG_TYPES, "good.py": GOOD},
                        templates=HOME_OVERRIDE)
    with kit.client([folder]) as client:
        home = client.get("/lot/")
        assert home.status_code == 200
        assert "note-from-good" in home.text
        assert client.get("/api/v1/regions/lot/services").status_code == 200
        listed = plugins_api(client)
        assert listed["lot.wrong"]["status"] == "failing"
        assert listed["lot.good"]["status"] == "ok"


def test_a_plugin_service_cannot_take_the_slug_of_a_yaml_service(kit: RegionKit) -> None:
    clash = HEAD + '''

@hookimpl
def register_services():
    return [service("accueil"), service("atelier")]
'''
    later = HEAD + '''

@hookimpl
def register_services():
    return [service("atelier"), service("jardin")]
'''
    manager, region = loaded(kit, {"clash.py": clash, "later.py": later})
    kept = [(plugin, spec.slug) for plugin, spec in manager.services(region.info())]
    assert kept == [("lot.clash", "atelier"), ("lot.later", "jardin")]
    assert failures(manager, "lot.clash") == [
        ("register_services", "ValueError: service slug 'accueil' is already used")]
    assert failures(manager, "lot.later") == [
        ("register_services", "ValueError: service slug 'atelier' is already used")]


def test_the_yaml_service_keeps_its_slug_in_the_catalogue(kit: RegionKit) -> None:
    clash = HEAD + '''

@hookimpl
def register_services():
    return [service("accueil")]
'''
    with kit.client([kit.region(plugins={"clash.py": clash})]) as client:
        (accueil,) = client.get("/api/v1/regions/lot/services").json()
        assert accueil["slug"] == "accueil"
        assert accueil["delivered_by"] == "CCI d'essai"
        assert accueil["plugin"] is None
        clash_record = plugins_api(client)["lot.clash"]
        assert clash_record["status"] == "failing"
        assert "'accueil' is already used" in clash_record["failures"][0]["message"]


def test_a_template_variable_given_twice_is_dropped_and_both_plugins_named(
        kit: RegionKit) -> None:
    alpha = HEAD + '''

@hookimpl
def extra_template_vars():
    return {"shared": "from alpha", "alpha_only": "alpha-value"}
'''
    beta = HEAD + '''

@hookimpl
def extra_template_vars():
    return {"shared": "from beta", "beta_only": "beta-value"}
'''
    manager, region = loaded(kit, {"alpha.py": alpha, "beta.py": beta})
    variables = manager.template_vars(region.info(), "region_home", "fr")
    assert variables == {"alpha_only": "alpha-value", "beta_only": "beta-value"}
    assert failures(manager, "lot.alpha") == [
        ("extra_template_vars", "ValueError: variable 'shared' is also given by lot.beta")]
    assert failures(manager, "lot.beta") == [
        ("extra_template_vars", "ValueError: variable 'shared' is also given by lot.alpha")]

    folder = kit.region("cantal", code="15", plugins={"alpha.py": alpha, "beta.py": beta},
                        templates=HOME_OVERRIDE)
    with kit.client([folder]) as client:
        home = client.get("/cantal/")
        assert home.status_code == 200
        assert "|no-shared|alpha-value|beta-value" in home.text
        listed = plugins_api(client)
        assert listed["cantal.alpha"]["status"] == listed["cantal.beta"]["status"] == "failing"


# -- read-only data ------------------------------------------------------------------


def test_values_given_to_plugins_cannot_be_assigned(kit: RegionKit) -> None:
    _, region = loaded(kit, {})
    info = region.info()
    with pytest.raises(ValidationError):
        info.config = region.config  # type: ignore[misc]
    with pytest.raises(ValidationError):
        info.slug = "cantal"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        info.config.name = "Cantal"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        info.config.services[0].slug = "autre"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        PROFILE.status = "independent"  # type: ignore[misc]


def test_a_plugin_that_assigns_to_its_arguments_fails_alone(kit: RegionKit) -> None:
    assigns = HEAD + '''

@hookimpl
def incentives_for_profile(region, profile):
    if profile.status == "founder":
        profile.status = "independent"
    region.config = None
    return []
'''
    manager, region = loaded(kit, {"assigns.py": assigns, "good.py": GOOD})
    result = manager.incentives(region.info(), PROFILE)
    assert result.failed_plugins == ["lot.assigns"]
    assert [incentive.key for _, incentive in result.incentives] == ["good-offer"]
    (hook, message), = failures(manager, "lot.assigns")
    assert (hook, message.split(":")[0]) == ("incentives_for_profile", "ValidationError")
    assert PROFILE.status == "founder"


def test_a_plugin_cannot_change_what_the_core_or_other_plugins_see(kit: RegionKit) -> None:
    mutates = HEAD + '''

@hookimpl
def incentives_for_profile(region):
    region.config.services.clear()
    region.config.plugins["injected"] = {}
    region.config.programme.audience["fr"] = "Changé"
    return []
'''
    counts = HEAD + '''

@hookimpl
def incentives_for_profile(region):
    return [incentive("seen-%d-services" % len(region.config.services))]
'''
    manager, region = loaded(kit, {"a_mutates.py": mutates, "b_counts.py": counts})
    result = manager.incentives(region.info(), PROFILE)
    assert [incentive.key for _, incentive in result.incentives] == ["seen-1-services"]
    assert [service.slug for service in region.config.services] == ["accueil"]
    assert "injected" not in region.config.plugins
    assert region.config.programme.audience["fr"] == "Indépendants"
