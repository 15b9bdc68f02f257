"""Languages: catalogues, the language of the current request, and locale-aware formatting.

French is the default. The catalogues are the ``.po`` files in ``locale/``,
compiled in memory at start-up (no binary file is kept in the sources).
"""

from __future__ import annotations

import datetime as dt
import io
from contextvars import ContextVar
from functools import cache
from importlib import resources

from babel import Locale
from babel.core import UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency as babel_format_currency
from babel.numbers import format_decimal
from babel.support import Translations

SUPPORTED = ("fr", "en")
DEFAULT = "fr"
LANG_COOKIE = "campagne_lang"

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT)


@cache
def translations(locale: str) -> Translations:
    """The compiled catalogue of ``locale`` (English texts are the message ids)."""
    po_file = resources.files("campagne") / "locale" / locale / "LC_MESSAGES" / "messages.po"
    if not po_file.is_file():
        return Translations()
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def gettext(message: str) -> str:
    """Translate ``message`` into the current request's language."""
    return translations(current_locale.get()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """Translate a message with a plural form for ``count``."""
    return translations(current_locale.get()).ngettext(singular, plural, count)


def negotiate(query: str | None, cookie: str | None, accept_language: str | None,
              default: str = DEFAULT) -> str:
    """Choose the language: explicit choice, then the cookie, then the browser's preferences."""
    for explicit in (query, cookie):
        if explicit in SUPPORTED:
            return explicit
    for tag, _quality in _parse_accept_language(accept_language or ""):
        try:
            language = Locale.parse(tag, sep="-").language
        except (ValueError, UnknownLocaleError):
            continue
        if language in SUPPORTED:
            return str(language)
    return default


def _parse_accept_language(header: str) -> list[tuple[str, float]]:
    preferences = []
    for part in header.split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            preferences.append((tag, quality))
    return sorted(preferences, key=lambda item: -item[1])


def format_number(value: float | int, digits: int = 0) -> str:
    """Format a number for the current language (``1 234,5`` in French)."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(value, format=pattern, locale=current_locale.get()))


def format_money(value: float, currency: str = "EUR") -> str:
    """Format an amount of money for the current language (``1 200,00 €`` in French)."""
    return str(babel_format_currency(value, currency, locale=current_locale.get()))


def format_day(value: dt.date, form: str = "long") -> str:
    """Format a date for the current language (``26 novembre 2026`` in French)."""
    return str(babel_format_date(value, format=form, locale=current_locale.get()))
