"""Menu entries of the built-in features, in the language the menu is shown in."""

from __future__ import annotations

from campagne.i18n import translations
from campagne.plugin_types import MenuEntry


def entry(label: str, locale: str, *, fr: str, en: str, page: str, order: int) -> MenuEntry:
    """A menu entry labelled ``label`` (a message id) whose path is ``fr`` or ``en``."""
    return MenuEntry(label=translations(locale).gettext(label),
                     path=en if locale == "en" else fr, page=page, order=order)
