"""The region's home sells the region: an image with its credit, a promise, the calls to
action of the features switched on, the features' blocks (next meetup, spaces: hook
``page_panels``, page ``region_home``), members' words given with their consent, then the
figures. Its theme keys are validated at their line of ``region.yaml``, and the kept page
shows a change to a meetup or a space at the next view."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from campagne.app import create_app
from campagne.errors import ConfigInvalid
from campagne.features.meetups.models import Meetup
from campagne.features.spaces.models import Space
from campagne.models import Region
from campagne.regions import load_region_folder
from campagne.testing import RegionKit, minimal_region

HERO = {"file": "hero.svg", "width": 1200, "height": 675,
        "alt": {"fr": "Des collines", "en": "Hills"}, "credit": "Jeanne Martin",
        "licence": "CC BY 4.0", "source_url": "https://example.org/hills"}
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 60" width="120" height="60">'
       '<rect width="120" height="60" fill="#8a4"/></svg>')


def _region(kit: RegionKit, **overrides: Any) -> Path:
    """The region ``lot`` with ``overrides`` of its region.yaml and a hero file in static/."""
    folder = kit.region("lot", config=minimal_region(**overrides))
    (folder / "static").mkdir(exist_ok=True)
    (folder / "static" / "hero.svg").write_text(SVG, encoding="utf-8")
    return folder


def _order(html: str, *marks: str) -> list[int]:
    return [html.index(mark) for mark in marks]


def test_the_reference_home_shows_each_block_in_order(demo_client: TestClient) -> None:
    html = demo_client.get("/gers/").text
    assert html.count("<h1") == 1
    assert '<link rel="stylesheet" href="/static/core/home.css">' in html
    assert 'class="home home-overlay"' in html
    image = re.search(r'<img class="hero-image" src="([^"]+)" alt="([^"]+)" '
                      r'width="1200" height="675"', html)
    assert image and image.group(1) == "/static/regions/gers/hero-gers.svg" and image.group(2)
    assert "Illustration\u00a0: Campagne, licence EUPL-1.2" in html
    assert "Vivre au pays des collines" in html  # the promise
    assert '<a class="action action-main" href="/gers/candidater">Envoyer une demande</a>' in html
    assert ('<a class="action action-other" href="/gers/simulateur">Simuler mon installation'
            '</a>') in html
    assert "témoignage inventé, pour la démonstration" in html
    positions = _order(html, 'id="home-title"', 'id="home-meetup-title"',
                       'id="home-spaces-title"', 'id="testimonials-title"',
                       'id="services-title"', 'id="figures-title"', '<dl class="facts">')
    assert positions == sorted(positions)
    assert demo_client.get(image.group(1)).status_code == 200
    english = demo_client.get("/gers/?lang=en").text
    assert 'href="/gers/apply">Send an inquiry</a>' in english
    assert "Next meetup" in english and 'href="/gers/meetups"' in english
    assert 'href="/gers/spaces"' in english


def test_the_orne_has_another_composition_and_font(demo_client: TestClient) -> None:
    orne, gers = demo_client.get("/orne/").text, demo_client.get("/gers/").text
    assert 'class="home home-split"' in orne and 'class="hero hero-split"' in orne
    assert 'class="hero hero-overlay"' in gers
    gers_css, orne_css = (demo_client.get(f"/{slug}/theme.css").text for slug in ("gers", "orne"))
    assert "font-family: 'Fraunces'" in gers_css and "font-family: 'Bitter'" in orne_css
    assert "font-display: swap" in orne_css and "--accent: #a3262a" in orne_css
    font = re.search(r"url\('([^']+\.woff2)'\)", orne_css)
    assert font and font.group(1).startswith("/static/regions/orne/fonts/")
    assert demo_client.get(font.group(1)).status_code == 200


def test_switched_off_features_give_no_call_nor_block(kit: RegionKit) -> None:
    folder = _region(kit, features={"inquiries": False, "pipeline": False, "simulator": False,
                                    "meetups": False, "spaces": False})
    with kit.client([folder]) as client:
        html = client.get("/lot/").text
    assert "hero-actions" not in html and "candidater" not in html
    assert "/lot/simulateur" not in html
    assert "home-meetup" not in html and "home-spaces" not in html
    assert html.count("<h1") == 1


def test_a_home_without_image_nor_promise_still_has_its_title(kit: RegionKit) -> None:
    with kit.client([kit.region("lot")]) as client:
        html = client.get("/lot/").text
    assert "hero-plain" in html and "<img class=\"hero-image\"" not in html
    assert html.count("<h1") == 1 and 'href="/lot/candidater"' in html


def test_only_testimonials_given_with_consent_or_invented_are_shown(kit: RegionKit) -> None:
    programme = {**minimal_region()["programme"], "promise": "Une promesse tenue."}
    testimonials = [
        {"quote": "Agreed to be quoted.", "name": "Anne", "commune": "Cahors",
         "consent": "2026-03-14"},
        {"quote": "Never agreed.", "name": "Bruno", "commune": "Figeac"},
        {"quote": "Made up for the demo.", "name": "Chloé", "commune": "Gourdon",
         "illustrative": True},
    ]
    folder = _region(kit, programme=programme, testimonials=testimonials,
                     theme={"layout": "split", "hero": HERO})
    with kit.client([folder]) as client:
        html = client.get("/lot/").text
    assert "Agreed to be quoted." in html and "Anne, Cahors" in html
    assert "Never agreed." not in html and "Bruno" not in html
    assert "Made up for the demo." in html
    assert html.count("témoignage inventé") == 1
    assert "Photographie\u00a0: Jeanne Martin, licence CC BY 4.0" in html
    assert '<a href="https://example.org/hills" rel="external noopener">source</a>' in html
    assert "Une promesse tenue." in html


def _error(kit: RegionKit, text: str) -> str:
    """The one error of the region ``lot`` written as ``text``, as ``file:line: message``."""
    folder = kit.region("lot", config=text)
    (folder / "static").mkdir(exist_ok=True)
    (folder / "static" / "hero.svg").write_text(SVG, encoding="utf-8")
    with pytest.raises(ConfigInvalid) as caught:
        load_region_folder(folder)
    assert len(caught.value.errors) == 1, caught.value.errors
    error = caught.value.errors[0]
    return f"{error.file.name}:{error.line}: {error.message}"


BASE = """slug: lot
code: "46"
name: Lot
administrative_region: Occitanie
programme:
  name: Vivre dans le Lot
  operator: CCI du Lot
  audience: Tous
  description: Un programme.
services:
  - slug: accueil
    category: welcome
    name: Accueil
    description: On vous accueille.
    delivered_by: CCI du Lot
"""
HERO_YAML = """theme:
  hero:
    file: {file}
    width: 1200
    height: 675
{alt}    credit: Jeanne Martin
    licence: CC BY 4.0
"""
ALT = "    alt: Des collines\n"


@pytest.mark.parametrize(("tail", "expected"), [
    (HERO_YAML.format(file="hero.svg", alt=""),
     "region.yaml:17: missing required key 'theme.hero.alt'"),
    (HERO_YAML.format(file="missing.jpg", alt=ALT),
     "region.yaml:18: file 'missing.jpg' not found in"),
    (HERO_YAML.format(file="../secret.jpg", alt=ALT),
     "region.yaml:18: theme.hero.file: String should match pattern"),
    (HERO_YAML.format(file="hero.gif", alt=ALT),
     "region.yaml:18: theme.hero.file: String should match pattern"),
    ("theme:\n  layout: diagonal\n",
     "region.yaml:17: theme.layout: Input should be 'overlay' or 'split'"),
    ("theme:\n  accent_color: \"#f5c400\"\n",
     "region.yaml:17: theme.accent_color: accent_color #f5c400 has a contrast of 1.6:1"),
    ("theme:\n  fonts:\n    - {family: Lora, file: fonts/lora.woff2, licence: OFL}\n",
     "region.yaml:18: file 'fonts/lora.woff2' not found in"),
    ("theme:\n  fonts:\n    - {family: Lora, file: lora.ttf, licence: OFL}\n",
     "region.yaml:18: theme.fonts.0.file: String should match pattern"),
    ("testimonials:\n  - quote: Bien.\n    name: Anne\n    commune: Cahors\n"
     "    consent: 2026-03-14\n    illustrative: true\n",
     "region.yaml:17: testimonials.0: an illustrative (invented) testimonial has nobody's"),
    ("testimonials:\n  - quote: Bien.\n    name: Anne\n    commune: Cahors\n"
     "    consent: someday\n",
     "region.yaml:20: testimonials.0.consent: Input should be a valid date"),
], ids=["no alt", "missing file", "outside static", "gif", "layout", "accent contrast",
        "missing font", "not woff2", "consent and invented", "consent not a date"])
def test_invalid_home_settings_are_reported_at_their_line(kit: RegionKit, tail: str,
                                                          expected: str) -> None:
    assert _error(kit, BASE + tail).startswith(expected)


def test_a_valid_hero_and_font_load(kit: RegionKit) -> None:
    folder = kit.region("lot", config=BASE + HERO_YAML.format(file="photos/hero.webp", alt=ALT))
    (folder / "static" / "photos").mkdir(parents=True)
    (folder / "static" / "photos" / "hero.webp").write_bytes(b"RIFF")
    assert load_region_folder(folder).config.theme.hero is not None


def test_the_kept_home_shows_a_changed_meetup_and_a_new_space_at_once(
        db_kit: RegionKit) -> None:
    folder = _region(db_kit)
    instance = db_kit.instance([folder])
    try:
        with TestClient(create_app(instance), raise_server_exceptions=False) as client:
            first = client.get("/lot/").text
            assert "No meetup is planned yet." in client.get("/lot/?lang=en").text
            client.cookies.clear()  # the language chosen is kept in a cookie
            assert client.get("/lot/").text == first  # kept: nothing changed
            with Session(instance.engine) as session:
                region_id = session.exec(select(Region.id).where(Region.slug == "lot")).one()
                start = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
                session.add(Meetup(region_id=region_id, uid="home-test@lot", title="Apéro du Lot",
                                   starts_at=start, ends_at=start + dt.timedelta(hours=2),
                                   place="Cahors", capacity=20))
                session.add(Space(region_id=region_id, name="Tiers-lieu de Figeac",
                                  commune="Figeac", seats=6))
                session.commit()
            after = client.get("/lot/").text
            assert "Apéro du Lot" in after and "Tiers-lieu de Figeac" in after
            with Session(instance.engine) as session:
                meetup = session.exec(select(Meetup).where(Meetup.uid == "home-test@lot")).one()
                meetup.title = "Apéro du Lot, nouvelle date"
                session.add(meetup)
                session.commit()
            assert "Apéro du Lot, nouvelle date" in client.get("/lot/").text
            with Session(instance.engine) as session:
                meetup = session.exec(select(Meetup).where(Meetup.uid == "home-test@lot")).one()
                meetup.cancelled_at = dt.datetime.now(dt.UTC)
                session.add(meetup)
                session.commit()
            assert "Apéro du Lot" not in client.get("/lot/").text
    finally:
        instance.engine.dispose()
