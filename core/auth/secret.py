"""The instance's secret key: required in production, generated once elsewhere."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from campagne.settings import CampagneSettings

#: A generated key has 64 characters; a file with fewer than this was cut short.
MIN_LENGTH = 32


class InsecureSettings(RuntimeError):
    """The settings are not safe to start with (production mode, or a broken key file)."""


def secret_key(settings: CampagneSettings) -> str:
    """The configured key, or one generated at first run and kept in ``secret_key_file``
    (mode 0600), so that every worker on the host shares it."""
    if settings.secret_key:
        return settings.secret_key
    if settings.production:
        raise InsecureSettings("CAMPAGNE_SECRET_KEY is required in production")
    return shared_key(Path(settings.secret_key_file))


def shared_key(path: Path) -> str:
    """The key kept in ``path``, made now if the file does not exist. The new key is written
    to a private temporary file (``O_EXCL``, mode 0600) that is then linked to ``path``:
    the link appears whole or not at all and fails if another process linked first, whose
    key is then used. Nobody ever reads an empty or half-written key."""
    if path.exists():
        return _read(path)
    key = secrets.token_urlsafe(48)
    temporary = private_copy(path, key)
    try:
        try:
            os.link(temporary, path)
        except FileExistsError:
            return _read(path)
    finally:
        os.unlink(temporary)
    return key


def private_copy(path: Path, key: str) -> str:
    """Write ``key`` to a new private file (mode 0600) beside ``path``, flushed to disk;
    return its name, for the caller to link or rename to ``path``."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(key)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def _read(path: Path) -> str:
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_LENGTH:
        raise InsecureSettings(f"the key file {path} is incomplete: delete it (a new key is "
                               "then made) or set CAMPAGNE_SECRET_KEY")
    return key
