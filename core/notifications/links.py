"""The addresses notifications carry: pages of the site, and where people choose their
e-mails."""

from __future__ import annotations

from campagne.settings import CampagneSettings

SETTINGS_PATH = "account/notifications"


def site_url(settings: CampagneSettings, path: str) -> str:
    """The public address of ``path`` (relative to the site's root)."""
    return f"{settings.public_url.rstrip('/')}/{path.lstrip('/')}"


def settings_url(settings: CampagneSettings) -> str:
    """The page where a signed-in person chooses their notifications."""
    return site_url(settings, SETTINGS_PATH)
