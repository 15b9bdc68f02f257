"""The instance's secret key: required in production, generated once elsewhere."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from campagne.settings import CampagneSettings


class InsecureSettings(RuntimeError):
    """Production mode was asked for with settings that are not safe."""


def secret_key(settings: CampagneSettings) -> str:
    """The configured key, or one generated at first run and kept in ``secret_key_file``
    (mode 0600), so that every worker on the host shares it."""
    if settings.secret_key:
        return settings.secret_key
    if settings.production:
        raise InsecureSettings("CAMPAGNE_SECRET_KEY is required in production")
    path = Path(settings.secret_key_file)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        key = secrets.token_urlsafe(48)
        handle.write(key)
    return key
