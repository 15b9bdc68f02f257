"""Markers for text that is translated later, at display time."""


def N_(message: str) -> str:  # the gettext convention for deferred messages
    """Mark ``message`` for extraction into the catalogues without translating it now."""
    return message
