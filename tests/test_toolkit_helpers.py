"""The helpers of ``campagne.toolkit``: a plug-in page rendered with the region's layout
without touching the application's state, and values formatted as the templates do."""

from __future__ import annotations

import datetime as dt

import pytest

from campagne import i18n
from campagne.testing import RegionKit, minimal_region
from campagne.toolkit import format_day, format_money, format_number, format_percent

VILLAGES = '''
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from campagne.toolkit import RegionInfo, format_money, hookimpl, render_page


@hookimpl
def register_pages(region: RegionInfo) -> APIRouter:
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse)
    def villages(request: Request, lang: str = "fr") -> HTMLResponse:
        return render_page(request, region, "villages/list.html",
                           {"villages": ["Lectoure", "Fleurance"],
                            "rent": format_money(450, lang)}, page="villages")

    @router.get("/missing", response_class=HTMLResponse)
    def missing(request: Request) -> HTMLResponse:
        return render_page(request, region, "villages/list.html", page="villages",
                           status_code=404)

    return router


@hookimpl
def template_dirs() -> list[Path]:
    return [Path(__file__).with_name("villages_templates")]


@hookimpl
def extra_template_vars(page: str) -> dict[str, str]:
    return {"village_note": "note-for-" + page}
'''

LIST = '''{% extends "base.html" %}
{% block title %}Villages · {{ region.config.name }}{% endblock %}
{% block content %}
<ul id="villages">{% for village in villages %}<li>{{ village }}</li>{% endfor %}</ul>
<p id="rent">{{ rent }}</p><p id="note">{{ village_note }}</p>
{% endblock %}
'''


def test_render_page_gives_a_plugin_page_the_regions_layout(kit: RegionKit) -> None:
    folder = kit.region("lot", plugins={"villages.py": VILLAGES},
                        config=minimal_region("lot"))
    (folder / "plugins" / "villages_templates" / "villages").mkdir(parents=True)
    (folder / "plugins" / "villages_templates" / "villages" / "list.html").write_text(
        LIST, encoding="utf-8")
    with kit.client([folder]) as client:
        page = client.get("/lot/plugins/villages/?lang=en")
        assert page.status_code == 200
        assert '<ul id="villages"><li>Lectoure</li><li>Fleurance</li></ul>' in page.text
        assert '<p id="rent">€450.00</p>' in page.text
        assert '<p id="note">note-for-villages</p>' in page.text
        assert '<html lang="en">' in page.text  # the request's language
        assert 'href="/lot/theme.css"' in page.text  # the region's theme
        assert 'class="main-menu"' in page.text  # the shared layout
        missing = client.get("/lot/plugins/villages/missing")
        assert missing.status_code == 404
        assert '<ul id="villages"></ul>' in missing.text


@pytest.mark.parametrize(("locale", "expected"), [
    ("fr", ("1\u202f200,00\u00a0€", "26 novembre 2026", "1\u202f234,5", "20,0\u00a0%")),
    ("en", ("€1,200.00", "November 26, 2026", "1,234.5", "20.0%")),
])
def test_formats_are_those_of_the_template_filters(locale: str,
                                                   expected: tuple[str, ...]) -> None:
    day = dt.date(2026, 11, 26)
    given = (format_money(1200, locale), format_day(day, locale),
             format_number(1234.5, locale, 1), format_percent(0.2, locale))
    token = i18n.current_locale.set(locale)
    try:
        filters = (i18n.format_money(1200), i18n.format_day(day),
                   i18n.format_number(1234.5, 1), i18n.format_percent(0.2))
    finally:
        i18n.current_locale.reset(token)
    assert given == filters
    assert given == expected


def test_a_format_for_a_locale_ignores_the_current_language() -> None:
    token = i18n.current_locale.set("en")
    try:
        assert format_money(5, "fr") == "5,00\u00a0€"
    finally:
        i18n.current_locale.reset(token)
