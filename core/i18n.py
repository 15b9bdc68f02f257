"""Languages: catalogues, the language of the current request, and locale-aware formatting.

French is the default. The catalogues are the ``.po`` files in ``locale/``,
compiled in memory at start-up (no binary file is kept in the sources).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import re
from contextvars import ContextVar
from functools import cache, lru_cache
from importlib import resources
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import NumberPattern, format_decimal, parse_pattern
from babel.numbers import format_currency as babel_format_currency
from babel.support import Translations
from babel.units import format_unit

SUPPORTED = ("fr", "en")
#: Moments are shown in the time of the programmes (metropolitan France).
PARIS = ZoneInfo("Europe/Paris")
DEFAULT = "fr"
LANG_COOKIE = "campagne_lang"

log = logging.getLogger(__name__)
current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT)


@cache
def translations(locale: str) -> Translations:
    """The catalogue of ``locale``, compiled in memory from its ``.po`` file once per process
    (fuzzy entries are left out; English texts are the message ids)."""
    po_file = resources.files("campagne") / "locale" / locale / "LC_MESSAGES" / "messages.po"
    if not po_file.is_file():
        log.warning("no message catalogue for %r: texts are shown in English", locale)
        return Translations()
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=locale, abort_invalid=True)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def load_catalogues() -> dict[str, Translations]:
    """Compile every supported language's catalogue now (at start-up, so that a broken
    ``.po`` file stops the application instead of failing a request)."""
    return {locale: translations(locale) for locale in SUPPORTED}


def gettext(message: str) -> str:
    """Translate ``message`` into the current request's language."""
    return translations(current_locale.get()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """Translate a message with a plural form for ``count``."""
    return translations(current_locale.get()).ngettext(singular, plural, count)


# Chosen once per distinct set of inputs: a browser sends the same header on every request.
@lru_cache(maxsize=512)
def negotiate(query: str | None, cookie: str | None, accept_language: str | None,
              default: str = DEFAULT) -> str:
    """Choose the language: explicit choice, then the cookie, then the browser's preferences
    (``Accept-Language``, best quality first), then ``default``."""
    for explicit in (query, cookie):
        if explicit in SUPPORTED:
            return explicit
    for tag, _quality in parse_accept_language(accept_language or ""):
        language = tag.split("-")[0].split("_")[0].lower()
        if language in SUPPORTED:
            return language
    return default if default in SUPPORTED else DEFAULT


def parse_accept_language(header: str) -> list[tuple[str, float]]:
    """The language tags of an ``Accept-Language`` header with their quality, best first;
    tags refused (``q=0``), malformed or ``*`` are left out; equal qualities keep their order."""
    preferences = []
    for part in header.split(",")[:20]:
        tag, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
        if not 0 < quality <= 1 or not re.fullmatch(r"[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*",
                                                      tag):
            continue
        preferences.append((tag, quality))
    return sorted(preferences, key=lambda item: -item[1])


# Parsed once per language (and pattern): Babel would otherwise parse the locale name and
# the number pattern again on every call, some twenty times per region page.


@cache
def babel_locale(locale: str) -> Locale:
    """The parsed Babel locale of a language."""
    return Locale.parse(locale)


@cache
def _number_pattern(digits: int) -> NumberPattern:
    return parse_pattern("#,##0" + ("." + "0" * digits if digits else ""))


@cache
def _percent_pattern(locale: str, digits: int) -> NumberPattern:
    pattern = str(babel_locale(locale).percent_formats[None].pattern)
    last = pattern.rfind("0")
    if digits and last >= 0:
        pattern = pattern[: last + 1] + "." + "0" * digits + pattern[last + 1 :]
    return parse_pattern(pattern)


def format_number(value: float | int, digits: int = 0, *, locale: str | None = None) -> str:
    """Format a number for ``locale``, by default the current language (``1 234,5`` in
    French)."""
    return _format_number(locale or current_locale.get(), value, digits)


def format_percent(share: float, digits: int = 1, *, locale: str | None = None) -> str:
    """Format a share (``0.2``) as a percentage for ``locale``, by default the current
    language, with the locale's own spacing: ``20,0 %`` (no-break space) in French,
    ``20.0%`` in English."""
    return _format_percent(locale or current_locale.get(), share, digits)


# Pure functions of their arguments, kept for the values met most (a page shows the same
# few figures to every visitor); bounded, so that no sequence of values makes them grow.


@lru_cache(maxsize=4096)
def _format_number(locale: str, value: float | int, digits: int) -> str:
    return str(format_decimal(value, format=_number_pattern(digits), locale=babel_locale(locale)))


@lru_cache(maxsize=4096)
def _format_percent(locale: str, share: float, digits: int) -> str:
    return str(_percent_pattern(locale, digits).apply(share, babel_locale(locale)))


def format_money(value: float, currency: str = "EUR", *, locale: str | None = None) -> str:
    """Format an amount of money for ``locale``, by default the current language
    (``1 200,00 €`` in French)."""
    return str(babel_format_currency(value, currency,
                                     locale=babel_locale(locale or current_locale.get())))


def format_moment(value: dt.datetime, *, locale: str | None = None) -> str:
    """Format a moment in Paris time for ``locale``, by default the current language
    (``7 déc. 2026, 03:30:00`` in French)."""
    return str(babel_format_datetime(value, format="medium", tzinfo=PARIS,
                                     locale=babel_locale(locale or current_locale.get())))


def format_wait(seconds: float, *, locale: str | None = None) -> str:
    """A wait or a window in words for ``locale``, by default the current language, rounded
    up (never said shorter than it is): to the minute, to the hour from two hours on
    (``12 minutes``, ``3 heures``)."""
    minutes = max(1, math.ceil(seconds / 60))
    value, unit = ((minutes, "duration-minute") if minutes < 120
                   else (math.ceil(minutes / 60), "duration-hour"))
    return str(format_unit(value, unit, length="long",
                           locale=babel_locale(locale or current_locale.get())))


def weekday_names(*, locale: str | None = None) -> list[tuple[int, str]]:
    """The days of the week as (ISO number, name) for ``locale``, Monday first
    (``(1, "Lundi")`` in French)."""
    wide = babel_locale(locale or current_locale.get()).days["format"]["wide"]
    return [(number + 1, str(wide[number]).capitalize()) for number in range(7)]


def format_day(value: dt.date, form: str = "long", *, locale: str | None = None) -> str:
    """Format a date for ``locale``, by default the current language (``26 novembre 2026``
    in French)."""
    return str(babel_format_date(value, format=form,
                                 locale=babel_locale(locale or current_locale.get())))
