"""The Gers's welcome committee plug-in: pairing rules, settings, and the pairing recorded on
the newcomer's timeline when an inquiry becomes a member."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from accounts_kit import EMAILS, PASSWORD, World, world
from inquiry_kit import new_inquiry
from sqlmodel import Session

from campagne.errors import ConfigInvalid
from campagne.models import Member
from campagne.regions import load_region_folder, reference_region_paths
from campagne.testing import RegionKit, minimal_region

GERS = next(path for path in reference_region_paths() if path.name == "gers")
SOURCE = (GERS / "plugins" / "welcome_committee.py").read_text(encoding="utf-8")


def settings() -> tuple[Any, Any]:
    """The plug-in's settings as the Gers gives them, and its pairing function."""
    name = "welcome_committee_under_test"
    spec = importlib.util.spec_from_file_location(name, GERS / "plugins" /
                                                  "welcome_committee.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    raw = load_region_folder(GERS).config.plugins["welcome_committee"]
    return module.Settings.model_validate(raw), module.pair


def test_pairing_prefers_the_sector_then_generalists_and_takes_turns() -> None:
    config, pair = settings()
    assert pair(config, 500, "it_internet_ecommerce").member == 79
    assert {pair(config, n, "audit_consulting_training").member for n in (500, 501)} == {3, 7}
    assert {pair(config, n, "tourism_hospitality").member for n in (500, 501)} == {143, 268}
    assert pair(config, 502, None).member in {143, 268}
    # never themself: the only ambassador of the sector pairs with generalists instead
    assert pair(config, 79, "it_internet_ecommerce").member in {143, 268}
    assert pair(config, 500, "it_internet_ecommerce") == pair(config, 500,
                                                              "it_internet_ecommerce")


def test_settings_are_checked_at_their_line(kit: RegionKit) -> None:
    config = minimal_region(plugins={"welcome_committee": {"ambassadors": [
        {"member": 4, "sectors": ["piracy"]}]}})
    folder = kit.region("lot", config=config, plugins={"welcome_committee.py": SOURCE})
    with pytest.raises(ConfigInvalid) as caught:
        kit.instance([folder])
    [error] = caught.value.errors
    assert "unknown sector(s): piracy" in error.message
    assert re.search(r"region\.yaml:\d+:\d+", str(error))
    twice = minimal_region(plugins={"welcome_committee": {"ambassadors": [
        {"member": 4}, {"member": 4}]}})
    folder = kit.region("lot", config=twice, plugins={"welcome_committee.py": SOURCE})
    with pytest.raises(ConfigInvalid) as caught:
        kit.instance([folder])
    assert "member(s) listed twice: 4" in caught.value.errors[0].message


@pytest.fixture
def w(tmp_path: Path, database_url: str) -> Iterator[World]:
    with world(tmp_path, database_url) as built:
        yield built


def test_the_pairing_is_recorded_on_the_newcomers_timeline(w: World) -> None:
    staff = w.headers("staff_gers")
    inquiry = new_inquiry(w)
    url = f"/api/v1/regions/gers/inquiries/{inquiry}"
    member_id = w.client.post(f"{url}/convert", headers=staff, json={}).json()["member_id"]
    timeline = w.client.get(f"/api/v1/regions/gers/members/{member_id}/timeline",
                            headers=staff).json()
    [note] = [e for e in timeline if e["kind"] == "note"]
    assert note["author"] == "gers.welcome_committee"
    assert note["summary"] == ("Comité d'accueil : jumelé avec un ambassadeur bénévole du "
                               "même secteur.")
    assert note["detail"]["related_member_id"] == 79
    assert note["detail"]["detail"] == {"fr": "Lectoure et la Lomagne",
                                        "en": "Lectoure and the Lomagne"}
    w.client.patch(url, headers=staff, json={"version": 2, "stage": "settled"})
    timeline = w.client.get(f"/api/v1/regions/gers/members/{member_id}/timeline?lang=en",
                            headers=staff).json()
    assert timeline[-1]["summary"] == ("Welcome committee: settled; their volunteer "
                                       "ambassador remains their contact.")
    # the member's staff page shows the history and links the ambassador's record
    with Session(w.instance.engine) as session:
        ambassador = session.get(Member, 79)
        assert ambassador is not None
        name = f"{ambassador.first_name} {ambassador.last_name}"
    page = signed_in_page(w, f"/gers/staff/members/{member_id}?lang=fr")
    assert 'href="/gers/staff/members/79"' in page and name in page
    assert "Comité d&#39;accueil : jumelé" in page and "gers.welcome_committee" in page


def signed_in_page(w: World, path: str) -> str:
    """``path`` as the Gers's staff, signed in through the form."""
    form = w.client.get("/account/sign-in").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf
    w.client.post("/account/sign-in", data={"csrf": csrf.group(1),
                                            "email": EMAILS["staff_gers"],
                                            "password": PASSWORD})
    answer = w.client.get(path)
    assert answer.status_code == 200
    return answer.text
