"""Template environments: one per region, searching the region's overrides, then
its plug-ins' folders, then the core templates; ``core:name.html`` always names
the engine's own template (the core's or a built-in feature's), so an override can extend
the original."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Hashable
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import (
    BaseLoader,
    ChainableUndefined,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    Undefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from markupsafe import Markup
from sqlmodel import Session

from campagne import i18n
from campagne.api.catalogue import ServiceCatalogue
from campagne.config import localize
from campagne.instance import Instance
from campagne.plugin_types import MenuEntry
from campagne.regions import RegionFolder
from campagne.web import labels
from campagne.web.sessions import recognise_visitor, session_csrf

K = TypeVar("K", bound=Hashable)
# Parts rendered with values (region_part) kept at most, all regions and languages together.
MAX_VALUED_PARTS = 512
MAX_KEPT_PAGES = 1024  # whole pages kept for visitors who are not signed in (see render)
CORE_TEMPLATES = Path(str(resources.files("campagne") / "templates"))
# The pages for signed-in people only: no language alternates nor sharing tags there.
PRIVATE_PAGE = re.compile(r"^/(account|admin)(/|$)|^/[^/]+/staff(/|$)")


def build_environment(extra_dirs: list[Path], engine_dirs: list[Path] | None = None
                      ) -> Environment:
    """An environment searching ``extra_dirs`` first, then the core templates;
    ``core:name.html`` is searched in the core templates and ``engine_dirs`` (the built-in
    features' folders, which are among ``extra_dirs``) only."""
    core = FileSystemLoader(CORE_TEMPLATES)
    loaders: list[BaseLoader] = [FileSystemLoader(path) for path in extra_dirs]
    engine = ChoiceLoader([core, *(FileSystemLoader(path) for path in engine_dirs or [])])
    loaders += [core, PrefixLoader({"core": engine}, delimiter=":")]
    environment = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates are read once: a change needs a restart, as for region.yaml (and the
        # parts rendered once per region and language could not follow a change anyway).
        auto_reload=False,
        # A variable a plug-in failed to give is missing, not an error: ``figure.value``
        # of a missing ``figure`` is missing too, and the page still renders.
        undefined=ChainableUndefined,
    )
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True
    )
    # The same "new style" functions as those just installed, without their two indirections
    # (``_`` looked up again as ``gettext``, then ``Context.call`` of the plain function):
    # a page calls them some forty times.
    environment.globals.update(gettext=_gettext, _=_gettext, ngettext=_ngettext)
    filters: dict[str, Callable[..., str]] = {
        "number": i18n.format_number, "percent": i18n.format_percent,
        "money": i18n.format_money, "day": i18n.format_day, "moment": i18n.format_moment,
        "t": _localize, **labels.FILTERS,
    }
    environment.filters.update({name: _per_request(f) for name, f in filters.items()})
    environment.globals["layout_part"] = LayoutParts()
    environment.globals["weekday_names"] = i18n.weekday_names
    return environment


class LayoutParts:
    """``layout_part(name)`` in the templates: a part of the shared layout (the main menu,
    the signed-out footer) rendered once per region, language, page and menu flags, then
    reused.

    The part sees ``region``, ``locale``, ``page``, ``hub`` and ``staff_nav``, the values of
    its key, and ``menu``, the region's menu entries from its plug-ins (hook
    ``menu_entries``, asked once per region and language: fixed while the server runs);
    nothing else: no request, no signed-in account, no plug-in variable. The templates are
    fixed while the server runs (``auto_reload`` is off)."""

    def __init__(self, menu: Callable[[RegionFolder, str], list[MenuEntry]] | None = None
                 ) -> None:
        self._parts: dict[tuple[str, str | None, str, str, bool, bool], Markup] = {}
        self._menu = menu

    @pass_context
    def __call__(self, context: Context, name: str) -> Markup:
        """The part ``name`` for the page being rendered."""
        region: RegionFolder | None = context.get("region")
        locale: str = context["locale"]
        page: str = context.get("page") or ""
        hub, staff_nav = bool(context.get("hub")), bool(context.get("staff_nav"))
        key = (name, region.slug if region else None, locale, page, hub, staff_nav)
        return _kept(self._parts, key, lambda: context.environment.get_template(name).render(
            region=region, locale=locale, page=page, hub=hub, staff_nav=staff_nav,
            menu=self._menu(region, locale) if region and self._menu else []))


def _kept(parts: dict[K, Markup], key: K, render: Callable[[], str],
             limit: int | None = None) -> Markup:
    """The part kept under ``key``, rendered (autoescaped) and kept first if missing; with a
    ``limit``, the store is emptied when full, so changing keys cannot grow it forever. Two
    requests may both render a missing part: the same text, kept once."""
    part = parts.get(key)
    if part is None:
        html = render()
        if limit is not None and len(parts) >= limit:
            parts.clear()
        part = parts.setdefault(key, Markup(html))  # noqa: S704 - rendered with autoescape
    return part


def _localize(text: dict[str, str] | None) -> str:
    """A text of a region's configuration in the current language."""
    return localize(text, i18n.current_locale.get())


def _per_request(function: Callable[..., str]) -> Callable[..., str]:
    """A filter whose result depends on the request's language. Jinja computes filters of
    constant values once, when it compiles a template, in whichever language comes first;
    a filter that takes the context is always computed when the template is rendered.
    An undefined value (a variable a failing plug-in did not give) renders as nothing."""

    @pass_context
    def language_filter(_context: Context, value: Any, *args: Any, **kwargs: Any) -> str:
        if isinstance(value, Undefined):
            return ""
        return function(value, *args, **kwargs)

    return language_filter


@pass_context
def _gettext(context: Context, string: str, /, **variables: Any) -> str:
    """``_()`` and ``gettext()`` of the templates, as Jinja's i18n extension defines them in
    its new style: the translation is escaped (``Markup``) when autoescaping is on, and
    always %-formatted with the keyword arguments."""
    if not variables and context.eval_ctx.autoescape:  # most calls: kept once formatted
        return _plain_translation(i18n.current_locale.get(), string)
    text = i18n.gettext(string)
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - the project's own catalogues, as in Jinja's extension
    return text % variables


@lru_cache(maxsize=4096)
def _plain_translation(locale: str, string: str) -> Markup:
    """``Markup(translation) % {}`` for a message without variables: a pure function of the
    language and the message (the catalogues are read once), kept in a bounded cache."""
    text = Markup(i18n.translations(locale).gettext(string))  # noqa: S704 - as above
    return text % {}


@pass_context
def _ngettext(context: Context, singular: str, plural: str, number: int, /,
              **variables: Any) -> str:
    """``ngettext()`` of the templates (new style: ``num`` is the number by default)."""
    variables.setdefault("num", number)
    text = i18n.ngettext(singular, plural, number)
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - the project's own catalogues, as in Jinja's extension
    return text % variables


class Renderer:
    """Renders pages with the right environment, language and plug-in variables."""

    def __init__(self, instance: Instance, catalogue: ServiceCatalogue | None = None) -> None:
        self.instance = instance
        self.catalogue = catalogue if catalogue is not None else ServiceCatalogue(instance.engine)
        i18n.load_catalogues()
        site_dirs = instance.plugins.site_template_dirs()
        engine_dirs = instance.plugins.site_template_dirs(builtin_only=True)
        self.site = build_environment(site_dirs, engine_dirs)
        self.by_region = {
            slug: build_environment(self._region_dirs(folder) + site_dirs, engine_dirs)
            for slug, folder in instance.regions.items()
        }
        PartKey = tuple[str, str, str, tuple[tuple[str, Hashable], ...]]
        self._parts: dict[PartKey, Markup] = {}  # fixed parts: finite by construction
        self._valued_parts: dict[PartKey, Markup] = {}  # parts with values: bounded
        for environment in self.by_region.values():
            environment.globals["region_part"] = self.region_part
            environment.globals["layout_part"] = LayoutParts(self._menu)
        for environment in (self.site, *self.by_region.values()):
            environment.globals["staff_menu"] = self.staff_menu
        public_url = instance.settings.public_url.rstrip("/")
        for environment in (self.site, *self.by_region.values()):
            environment.globals["public_url"] = public_url  # absolute links (hreflang, og:)
        self._menus: dict[tuple[str, str], list[MenuEntry]] = {}
        self._pages: dict[Hashable, bytes] = {}  # bounded: emptied when full
        self._staff_menus: dict[tuple[str, str], list[MenuEntry]] = {}

    def staff_menu(self, region: RegionFolder) -> list[MenuEntry]:
        """The region's staff menu in the current language (hook ``staff_menu_entries``),
        asked of the plug-ins once per region and language: fixed while the server runs."""
        key = (region.slug, i18n.current_locale.get())
        if key not in self._staff_menus:
            self._staff_menus[key] = self.instance.plugins.staff_menu(region.info(), key[1])
        return self._staff_menus[key]

    def panels(self, request: Request, page: str, region: RegionFolder, session: Session,
               member_id: int | None, context: dict[str, Any]) -> list[Markup]:
        """The panels the region's plug-ins add to ``page`` (hook ``page_panels``), each
        rendered in the region's environment with ``context``; one whose template fails is
        left out and recorded as a failure of its plug-in."""
        locale = i18n.current_locale.get()
        environment = self.by_region[region.slug]
        rendered = []
        for plugin, panel in self.instance.plugins.panels(page, region.info(), session,
                                                          member_id, locale):
            values = {**context, **panel.context, "request": request, "locale": locale,
                      "region": region, "page": page, "panel": panel}
            try:
                html = environment.get_template(panel.template).render(values)
            except Exception as exc:  # noqa: BLE001 - a plug-in must not take the page down
                self.instance.plugins.record_failure(plugin, "page_panels", region.slug, exc)
                continue
            rendered.append(Markup(html))  # noqa: S704 - rendered by an autoescaping template
        return rendered

    def _menu(self, region: RegionFolder, locale: str) -> list[MenuEntry]:
        """The region's menu entries in ``locale``, asked of the plug-ins once."""
        key = (region.slug, locale)
        if key not in self._menus:
            self._menus[key] = self.instance.plugins.menu(region.info(), locale)
        return self._menus[key]

    @pass_context
    def region_part(self, context: Context, name: str, /, **values: Hashable) -> Markup:
        """The template ``name`` rendered once per region, language and ``values``, then reused.

        For the parts of a region's pages that come only from what is fixed while the server
        runs (``region.yaml`` and the services, both read at start-up: a change needs a
        restart) and from the ``values`` given, which are part of the key: hashable values
        such as the frozen member figures of the region's home, which change rarely. The part
        sees ``region``, ``locale``, ``services`` (the region's catalogue in that language)
        and the ``values``, nothing else: no request, no plug-in variable, so it cannot carry
        anything from one view to another that the key does not name.
        """
        region: RegionFolder = context["region"]
        locale: str = context["locale"]
        key = (region.slug, locale, name, tuple(sorted(values.items())))
        return _kept(
            self._valued_parts if values else self._parts, key,
            lambda: context.environment.get_template(name).render(
                values, region=region, locale=locale,
                services=self.catalogue.get(region.slug, locale)),
            limit=MAX_VALUED_PARTS if values else None)

    def _region_dirs(self, folder: RegionFolder) -> list[Path]:
        dirs = [folder.templates_dir] if folder.templates_dir else []
        return dirs + self.instance.plugins.template_dirs(folder.info())

    def render(self, request: Request, template: str, context: dict[str, Any], *,
               region: RegionFolder | None = None, page: str = "", status_code: int = 200,
               kept_on: Hashable | None = None) -> HTMLResponse:
        """Render ``template`` for ``request`` (in its region's environment, if any); a
        signed-in visitor of a public page is recognised first (``recognise_visitor``).

        With ``kept_on`` (a hashable value that names everything ``context`` holds), the
        page of a visitor who is not signed in is kept whole and sent again while the key
        is the same: the key also holds the template, region, page, language, path and
        query (the language links and ``hreflang`` come from them) and the plug-ins'
        ``extra_template_vars``, when they are plain values (else the page is not kept)."""
        recognise_visitor(request, self.instance)
        locale = i18n.current_locale.get()
        environment = self.by_region[region.slug] if region else self.site
        variables: dict[str, Any] = {}
        if region is not None:
            variables = self.instance.plugins.template_vars(region.info(), page, locale)
        key: Hashable | None = None
        if kept_on is not None and session_csrf(request) is None:
            plugged = _plain_key(variables)
            if plugged is not None:
                key = (template, region.slug if region else None, page, locale,
                       request.scope["path"], request.scope["query_string"], status_code,
                       kept_on, plugged)
                body = self._pages.get(key)
                if body is not None:
                    return HTMLResponse(body, status_code=status_code)
        full = {
            **variables,
            **context,
            "request": request,
            "locale": locale,
            "region": region,
            "regions": self.instance.regions,
            "page": page,
            "switch_language": _switch_links(request),
            "public_page": not PRIVATE_PAGE.match(request.scope["path"]),
            "session_csrf": session_csrf(request),  # the footer's sign-out form, signed in
            # A region's staff page (``page`` ``staff...``): the staff menu and style sheet.
            "staff_nav": bool(context.get("staff_nav"))
            or (region is not None and page.startswith("staff")),
        }
        html = environment.get_template(template).render(full)
        if key is None:
            return HTMLResponse(html, status_code=status_code)
        body = html.encode("utf-8")
        if len(self._pages) >= MAX_KEPT_PAGES:
            self._pages.clear()
        self._pages[key] = body
        return HTMLResponse(body, status_code=status_code)


_PLAIN = (str, int, float, bool, type(None), dt.date, dt.time, dt.timedelta, Decimal)


def _plain_key(value: Any) -> Hashable | None:
    """``value`` as a hashable key when it is made of plain values only (text, numbers,
    booleans, ``None``, dates and times, lists, tuples and dicts of them), else ``None``."""
    if isinstance(value, _PLAIN):  # immutable: the same value renders the same text
        return (type(value).__name__, value)
    if isinstance(value, list | tuple):
        items = [_plain_key(item) for item in value]
        return None if any(item is None for item in items) else (type(value).__name__, *items)
    if isinstance(value, dict):
        pairs = [(key, _plain_key(item)) for key, item in value.items()]
        if any(not isinstance(key, str) or item is None for key, item in pairs):
            return None
        return ("dict", *sorted(pairs))
    return None


def _switch_links(request: Request) -> dict[str, str]:
    """The current page's address in each language (a plain link: no JavaScript needed)."""
    return _switch_links_of(request.scope["path"], request.scope.get("query_string", b""))


@lru_cache(maxsize=1024)
def _switch_links_of(path: str, query_string: bytes) -> dict[str, str]:
    """:func:`_switch_links` of a path and a raw query (a pure function, kept in a bounded
    cache: most views are of a few addresses). Callers must not change the dict."""
    links = {}
    # The path as ``request.url.path`` gives it, without building the whole URL first.
    quoted = quote(path, safe="/%:@!$&'()*+,;=-._~")
    query = dict(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
    for language in i18n.SUPPORTED:
        query["lang"] = language
        links[language] = f"{quoted}?{urlencode(sorted(query.items()))}"
    return links
