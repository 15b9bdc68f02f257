"""A newsletter's Markdown as the staff's preview shows it: CommonMark rendered by
markdown-it-py with raw HTML off, then cleaned by nh3 (scripts, event handlers and unsafe
links removed), so that what staff paste cannot run in a colleague's browser."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_PARSER = MarkdownIt("commonmark", {"html": False})
URL_SCHEMES = {"http", "https", "mailto"}


def preview_html(text: str) -> Markup:
    """``text`` (Markdown) as safe HTML."""
    cleaned = nh3.clean(_PARSER.render(text), url_schemes=URL_SCHEMES)
    return Markup(cleaned)  # noqa: S704 - sanitized by nh3 just above
