"""The region's style sheet (``/{slug}/theme.css``), written from the ``theme`` of its
``region.yaml``: its colours, and the fonts the instance serves from the region's
``static/`` (``@font-face``, never an outside service)."""

from __future__ import annotations

from campagne.config import FontFile, Theme

#: What the browser shows while a font loads, and instead of a missing one.
FALLBACKS = {"headings": "Georgia, 'Times New Roman', serif",
             "body": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"}


def theme_stylesheet(slug: str, theme: Theme) -> str:
    """The style sheet of the region ``slug``: custom properties, then its fonts."""
    accent = theme.accent_color or theme.primary_color
    lines = [f":root {{ --brand: {theme.primary_color}; --accent: {accent}; }}"]
    for font in theme.fonts:
        lines.append(_font_face(slug, font))
    by_role = {font.role: font for font in theme.fonts}
    if "headings" in by_role:
        lines.append(f"h1, h2, h3 {{ font-family: {_stack(by_role['headings'])}; }}")
    if "body" in by_role:
        lines.append(f"body {{ font-family: {_stack(by_role['body'])}; }}")
    return "\n".join(lines) + "\n"


def _font_face(slug: str, font: FontFile) -> str:
    """One ``@font-face``; ``swap``: the text shows at once in the fallback font."""
    return (f"@font-face {{ font-family: '{font.family}'; font-style: {font.style}; "
            f"font-weight: {font.weight}; font-display: swap; "
            f"src: url('/static/regions/{slug}/{font.file}') format('woff2'); }}")


def _stack(font: FontFile) -> str:
    return f"'{font.family}', {FALLBACKS[font.role]}"
