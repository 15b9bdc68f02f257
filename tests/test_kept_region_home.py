"""The region's home is kept whole for visitors who are not signed in, and never shows
them anything stale: its key holds the member figures, the language, the path and query,
and the plug-ins' template variables (a page whose variables are not plain values is
written on every view); a signed-in visitor always gets their own footer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts_kit import CSRF, World, sign_in, world
from sqlmodel import Session, select

from campagne.models import Member, MemberStatus, Region
from campagne.testing import RegionKit
from campagne.web.templating import _plain_key

COUNTING_VARS = '''
from itertools import count

from campagne import hookimpl

_views = count(1)


@hookimpl
def extra_template_vars(region, page, locale):
    return {"views": next(_views)}
'''

OBJECT_VARS = '''
from itertools import count

from campagne import hookimpl

_views = count(1)


class Views:
    def __init__(self, number):
        self.number = number


@hookimpl
def extra_template_vars(region, page, locale):
    return {"views": Views(next(_views))}
'''

SHOW_VIEWS = """{% extends "core:region_home.html" %}
{% block region_extra %}<p id="views">{{ views.number if views.number is defined else views }}</p>
{% endblock %}
"""


def _views(html: str) -> str:
    start = html.index('<p id="views">') + len('<p id="views">')
    return html[start:html.index("</p>", start)]


@pytest.mark.parametrize("plugin", [COUNTING_VARS, OBJECT_VARS], ids=["plain", "object"])
def test_the_plugins_variables_of_each_view_are_shown(kit: RegionKit, plugin: str) -> None:
    lot = kit.region("lot", plugins={"views.py": plugin}, templates={
        "region_home.html": SHOW_VIEWS})
    with kit.client([lot]) as client:
        shown = [_views(client.get("/lot/").text) for _ in range(3)]
    assert len(set(shown)) == 3, shown


def test_the_same_view_is_sent_again_and_each_language_and_path_has_its_own(
        kit: RegionKit) -> None:
    lot = kit.region("lot")
    with kit.client([lot]) as client:
        first, again = client.get("/lot/"), client.get("/lot/")
        english = client.get("/lot/?lang=en")
        assert first.text == again.text and first.headers["content-language"] == "fr"
        assert english.headers["content-language"] == "en" and english.text != first.text
        assert 'lang="en"' in english.text
        client.cookies.clear()  # the language chosen is kept in a cookie
        assert client.get("/lot/").text == first.text  # French again, not the English page
        head = client.head("/lot/")
        assert head.status_code == 200 and head.text == ""


@pytest.fixture
def w(tmp_path: Path, database_url: str) -> Iterator[World]:
    """The reference regions with demo members and one account per role."""
    with world(tmp_path, database_url) as built:
        yield built


def test_a_new_member_and_a_signed_in_visitor_are_never_given_a_kept_page(w: World) -> None:
    before = w.client.get("/gers/").text
    with Session(w.instance.engine) as session:
        gers = session.exec(select(Region.id).where(Region.slug == "gers")).one()
        session.add(Member(region_id=gers, first_name="Nouvelle", last_name="Venue",
                           sector_slug="it_internet_ecommerce",
                           status=MemberStatus.SETTLED.value,
                           arrival_date=dt.date(2024, 1, 1)))
        session.commit()
    after = w.client.get("/gers/").text
    assert after != before
    token = sign_in(w.client)
    signed_in = w.client.get("/gers/").text
    found = CSRF.search(signed_in)
    assert found and found.group(1) == token  # their own sign-out form, not a kept footer
    w.client.cookies.clear()
    assert w.client.get("/gers/").text == after


def test_only_plain_values_make_a_key() -> None:
    assert _plain_key({"a": [1, "b", None, (2.5, True)]}) == _plain_key(
        {"a": [1, "b", None, (2.5, True)]})
    assert _plain_key({"a": 1}) != _plain_key({"a": "1"})
    assert _plain_key({"day": dt.date(2030, 1, 1)}) == _plain_key({"day": dt.date(2030, 1, 1)})
    assert _plain_key({"a": object()}) is None
    assert _plain_key({1: "a"}) is None
