"""Translations and languages: the catalogues cover every message of the sources, the
language is negotiated as documented, and numbers, money and dates follow the language."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from campagne import i18n
from campagne.web.templating import build_environment

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "core" / "locale"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")
NARROW_NBSP = "\u202f"
NBSP = "\u00a0"

MessageId = str | tuple[str, ...]
Chooser = Callable[[str], None]


def _extract() -> dict[MessageId, list[str]]:
    """Every message of the sources, as ``pybabel extract -F babel.cfg`` finds them."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(  # type: ignore[no-untyped-call]
            handle, str(ROOT / "babel.cfg"))
    found: dict[MessageId, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map, keywords=KEYWORDS):
        key = message if isinstance(message, str) else tuple(message)
        found.setdefault(key, []).append(f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def extracted() -> dict[MessageId, list[str]]:
    """The messages of the sources, with where each one is."""
    messages = _extract()
    assert len(messages) > 100, "babel.cfg finds (almost) no message"
    return messages


def _catalogue(locale: str) -> Catalog:
    with (LOCALE / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


@pytest.fixture(scope="module")
def french() -> Catalog:
    """The French catalogue."""
    return _catalogue("fr")


@pytest.fixture
def in_language() -> Iterator[Callable[[str], None]]:
    """Call ``in_language(code)`` to make ``code`` the current language for the test."""
    tokens = []

    def choose(code: str) -> None:
        tokens.append(i18n.current_locale.set(code))

    yield choose
    for token in reversed(tokens):
        i18n.current_locale.reset(token)


def _forms(string: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if string is None:
        return [""]
    return [string] if isinstance(string, str) else list(string)


def _placeholders(text: str | tuple[str, ...] | list[str]) -> set[str]:
    return {name for form in _forms(text) for name in PLACEHOLDER.findall(form)}


# --- the catalogues ------------------------------------------------------------------------


def test_babel_cfg_covers_code_core_templates_and_region_templates(
        extracted: dict[MessageId, list[str]]) -> None:
    places = {location.split(":")[0] for locations in extracted.values() for location in locations}
    assert any(place.startswith("core/web/") for place in places)
    assert "core/taxonomy.py" in places  # N_() markers
    assert "core/templates/base.html" in places
    assert "core/features/spaces/templates/account/staff_space.html" in places  # a feature's
    assert "regions/orne/templates/region_home.html" in places
    assert ("%(num)s member", "%(num)s members") in extracted  # ngettext in a template
    assert "Welcome committee" in extracted


def test_every_message_has_a_french_translation(
        extracted: dict[MessageId, list[str]], french: Catalog) -> None:
    problems = []
    for message_id, locations in sorted(extracted.items(), key=str):
        entry = french.get(message_id if isinstance(message_id, str) else message_id[0])
        where = ", ".join(locations[:2])
        if entry is None or entry.id != message_id:
            problems.append(f"missing: {message_id!r} ({where})")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {message_id!r} ({where})")
        elif not all(form.strip() for form in _forms(entry.string)):
            problems.append(f"untranslated: {message_id!r} ({where})")
    assert not problems, "refresh the catalogues (docs/translations.md):\n" + "\n".join(problems)


def test_french_plurals_fill_every_form_of_the_language(french: Catalog) -> None:
    plural_entries = [entry for entry in french if entry.pluralizable]
    assert plural_entries
    for entry in plural_entries:
        assert len(_forms(entry.string)) == french.num_plurals, entry.id


def test_placeholders_are_the_same_in_message_and_translation(french: Catalog) -> None:
    for entry in french:
        if not entry.id:
            continue
        expected = _placeholders(entry.id)
        for form in _forms(entry.string):
            assert _placeholders(form) == expected, (entry.id, form)
    assert not [problem for problem in french.check()]


def test_english_catalogue_is_the_identity(extracted: dict[MessageId, list[str]]) -> None:
    english = _catalogue("en")
    for entry in english:
        if not entry.id:
            continue
        assert _forms(entry.string) in (_forms(entry.id), [""] * len(_forms(entry.id))), entry.id
    assert all(english.get(key if isinstance(key, str) else key[0]) for key in extracted)


def test_french_typography(french: Catalog) -> None:
    """A no-break space before « : ; ! ? » and inside « », never a plain one; none before « . »."""
    for entry in french:
        if not entry.id:
            continue
        for form in _forms(entry.string):
            assert not re.search(r" [:;!?»]|« ", form), form
            assert not re.search(r"\s\.", form), form


def test_no_compiled_catalogue_is_kept_in_the_sources() -> None:
    assert not list(LOCALE.rglob("*.mo"))


def test_catalogues_are_compiled_in_memory_and_translate(in_language: Chooser) -> None:
    catalogues = i18n.load_catalogues()
    assert set(catalogues) == {"fr", "en"}
    in_language("fr")
    assert i18n.gettext("Key figures") == "Chiffres clés"
    assert i18n.gettext("Source:") == f"Source{NBSP}:"
    in_language("en")
    assert i18n.gettext("Key figures") == "Key figures"


@pytest.mark.parametrize(("count", "french_text", "english_text"), [
    (0, "0 membre", "0 members"),
    (1, "1 membre", "1 member"),
    (2, "2 membres", "2 members"),
    (350, "350 membres", "350 members"),
    (1_000_000, "1000000 de membres", "1000000 members"),
])
def test_plural_forms_in_templates(in_language: Chooser, count: int, french_text: str,
                                   english_text: str) -> None:
    template = build_environment([]).from_string(
        '{{ ngettext("%(num)s member", "%(num)s members", count) }}')
    in_language("fr")
    assert template.render(count=count) == french_text
    in_language("en")
    assert template.render(count=count) == english_text


# --- negotiation -----------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "cookie", "header", "expected"), [
    (None, None, None, "fr"),
    ("en", None, None, "en"),
    ("fr", "en", "en", "fr"),             # the explicit choice wins
    ("de", None, None, "fr"),             # unsupported choices are ignored
    (None, "en", None, "en"),
    (None, "en", "fr", "en"),             # the cookie beats the browser
    (None, "xx", "en", "en"),
    (None, None, "en", "en"),
    (None, None, "en-GB,en;q=0.9", "en"),
    (None, None, "EN-us", "en"),
    (None, None, "de-DE,de;q=0.9,en;q=0.8,fr;q=0.7", "en"),
    (None, None, "fr;q=0.4, en;q=0.8", "en"),     # quality, not position
    (None, None, "en;q=0.8, fr", "fr"),           # no q means 1
    (None, None, "fr;level=1;q=0.1, en;q=0.5", "en"),
    (None, None, "en;q=0", "fr"),                 # refused
    (None, None, "en;q=abc, de", "fr"),
    (None, None, "*", "fr"),
    (None, None, "de, it;q=0.5", "fr"),
    (None, None, ";;, q=, =", "fr"),
])
def test_negotiate(query: str | None, cookie: str | None, header: str | None,
                   expected: str) -> None:
    assert i18n.negotiate(query, cookie, header) == expected


def test_negotiate_falls_back_to_the_instance_default() -> None:
    assert i18n.negotiate(None, None, "de", default="en") == "en"
    assert i18n.negotiate(None, None, None, default="de") == "fr"  # unsupported default


def test_parse_accept_language_orders_by_quality() -> None:
    assert i18n.parse_accept_language("da, en-gb;q=0.8, en;q=0.7") == [
        ("da", 1.0), ("en-gb", 0.8), ("en", 0.7)]
    assert i18n.parse_accept_language("fr;q=0.5, en;q=0.5, de;q=0.9") == [
        ("de", 0.9), ("fr", 0.5), ("en", 0.5)]


@pytest.mark.parametrize(("params", "headers", "cookies", "expected"), [
    ({}, {}, {}, "fr"),
    ({"lang": "en"}, {}, {}, "en"),
    ({}, {"Accept-Language": "en-US,en;q=0.9,fr;q=0.8"}, {}, "en"),
    ({}, {"Accept-Language": "fr;q=0.3,en;q=0.7"}, {}, "en"),
    ({}, {"Accept-Language": "en;q=0.3,fr;q=0.7"}, {}, "fr"),
    ({}, {"Accept-Language": "en"}, {i18n.LANG_COOKIE: "fr"}, "fr"),
    ({"lang": "fr"}, {}, {i18n.LANG_COOKIE: "en"}, "fr"),
])
def test_pages_and_api_follow_the_negotiated_language(
        demo_client: TestClient, params: dict[str, str], headers: dict[str, str],
        cookies: dict[str, str], expected: str) -> None:
    demo_client.cookies.clear()
    for name, value in cookies.items():
        demo_client.cookies.set(name, value)
    try:
        page = demo_client.get("/gers/", params=params, headers=headers)
        api = demo_client.get("/api/v1/regions/gers/services", params={
            "category": "welcome", **params}, headers=headers)
    finally:
        demo_client.cookies.clear()
    assert page.headers["content-language"] == expected
    assert f'<html lang="{expected}">' in page.text
    assert "Accept-Language" in page.headers["vary"]
    label = {"fr": "Comité d’accueil", "en": "Welcome committee"}[expected]
    assert api.json()[0]["category_label"] == label


def test_an_explicit_choice_is_remembered_in_a_cookie(demo_client: TestClient) -> None:
    demo_client.cookies.clear()
    answer = demo_client.get("/", params={"lang": "en"})
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{i18n.LANG_COOKIE}=en;")
    assert "Path=/" in cookie and "SameSite=Lax" in cookie and "HttpOnly" in cookie
    assert "set-cookie" not in demo_client.get("/", params={"lang": "de"}).headers
    demo_client.cookies.clear()


# --- formatting ------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "number", "decimal", "big", "money", "percent", "day"), [
    ("fr", "1\u202f234", "1\u202f234,5", "1\u202f234\u202f567", "1\u202f200,00\u00a0€",
     "20,0\u00a0%", "26 novembre 2026"),
    ("en", "1,234", "1,234.5", "1,234,567", "€1,200.00", "20.0%", "November 26, 2026"),
])
def test_formatting_follows_the_language(
        in_language: Chooser, language: str, number: str, decimal: str, big: str,
        money: str, percent: str, day: str) -> None:
    in_language(language)
    assert i18n.format_number(1234) == number
    assert i18n.format_number(1234.5, 1) == decimal
    assert i18n.format_number(1234567) == big
    assert i18n.format_money(1200) == money
    assert i18n.format_percent(0.2) == percent
    assert i18n.format_day(dt.date(2026, 11, 26)) == day


def test_french_group_separator_is_a_narrow_no_break_space(in_language: Chooser) -> None:
    in_language("fr")
    assert i18n.format_number(1234.5, 1) == "1" + NARROW_NBSP + "234,5"
    assert i18n.format_percent(1 / 3) == "33,3\u00a0%"
    assert i18n.format_percent(0.5, digits=0) == "50\u00a0%"


def test_template_filters_format_for_the_language(in_language: Chooser) -> None:
    template = build_environment([]).from_string(
        "{{ 1234.5|number(1) }} | {{ 0.163|percent }} | {{ 10|money }} | {{ when|day }}")
    in_language("fr")
    assert template.render(when=dt.date(2026, 1, 2)) == (
        "1\u202f234,5 | 16,3\u00a0% | 10,00\u00a0€ | 2 janvier 2026")
    in_language("en")
    assert template.render(when=dt.date(2026, 1, 2)) == (
        "1,234.5 | 16.3% | €10.00 | January 2, 2026")
