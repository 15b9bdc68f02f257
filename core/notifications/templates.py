"""The texts of notifications, rendered from Jinja templates in the recipient's language.

The engine ships ``core/templates/mail/<kind>.txt``; a region overrides it with
``<region>/mail/<kind>.<lang>.txt`` (one language) or ``<region>/mail/<kind>.txt`` (both,
with ``{% trans %}`` or ``_()``). The first line is the subject, the rest the text. A region's
template that fails to render is logged and the engine's is used: a typo in an override
must not lose the e-mail, nor the change that causes it."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplatesNotFound,
)

from campagne import i18n

log = logging.getLogger(__name__)
ENGINE_MAIL = Path(str(resources.files("campagne") / "templates" / "mail"))


@dataclass(frozen=True)
class RenderedMail:
    """A subject and a text, ready for the outbox."""

    subject: str
    body: str


@contextmanager
def writing_in(locale: str) -> Iterator[None]:
    """Translate into ``locale`` for the duration of the block."""
    token = i18n.current_locale.set(locale if locale in i18n.SUPPORTED else i18n.DEFAULT)
    try:
        yield
    finally:
        i18n.current_locale.reset(token)


@lru_cache(maxsize=64)
def _environment(folder: Path) -> Environment:
    environment = Environment(loader=FileSystemLoader(folder), autoescape=False,  # noqa: S701 - plain text mail
                              extensions=["jinja2.ext.i18n"], keep_trailing_newline=True,
                              trim_blocks=True, lstrip_blocks=True,
                              undefined=StrictUndefined, auto_reload=False)
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True)
    environment.filters["day"] = i18n.format_day
    return environment


def _names(kind: str, locale: str) -> list[str]:
    return [f"{kind}.{locale}.txt", f"{kind}.txt"]


def render_mail(region_path: Path | None, kind: str, locale: str,
                context: Mapping[str, Any]) -> RenderedMail:
    """The subject and text of ``kind`` for a recipient writing ``locale``: the region's
    template if it has one (``region_path/mail``), else the engine's."""
    with writing_in(locale):
        folder = region_path / "mail" if region_path is not None else None
        if folder is not None and folder.is_dir():
            try:
                return _split(_environment(folder).select_template(
                    _names(kind, locale)).render(**context))
            except TemplateError as error:
                if not isinstance(error, TemplatesNotFound):
                    log.warning("mail template of %s for %s: %s; the engine's is used",
                                folder, kind, error)
        return _split(_environment(ENGINE_MAIL).select_template(
            _names(kind, locale)).render(**context))


def _split(text: str) -> RenderedMail:
    subject, _, body = text.lstrip("\n").partition("\n")
    return RenderedMail(subject=" ".join(subject.split()), body=body.strip("\n") + "\n")
