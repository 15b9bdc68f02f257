"""The secret key in an archive: read from the instance when backing up, written back to
the key file only when asked (``restore --with-key``)."""

from __future__ import annotations

import os
from pathlib import Path

from campagne.auth.secret import private_copy, shared_key
from campagne.backup.errors import BackupError, Refused
from campagne.settings import CampagneSettings


def instance_key(settings: CampagneSettings) -> str:
    """The key the instance signs with: ``CAMPAGNE_SECRET_KEY``, else the key file. A
    missing file is an error here (no key is made: it would not be the instance's)."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.secret_key_file)
    if not path.is_file():
        raise BackupError(f"no secret key: CAMPAGNE_SECRET_KEY is not set and the key file "
                          f"{path} does not exist; run from the instance's folder or set "
                          "CAMPAGNE_SECRET_KEY_FILE as the server has it")
    return shared_key(path)


def current_key(settings: CampagneSettings) -> str | None:
    """The key the instance would use now, if it has one (nothing is made)."""
    try:
        return instance_key(settings)
    except BackupError:
        return None


def refuse_conflicting_key(settings: CampagneSettings, archived: str) -> None:
    """``--with-key`` writes the key file, which ``CAMPAGNE_SECRET_KEY`` overrides: refuse
    when that variable holds another key, since the restored key would not be used."""
    if settings.secret_key and settings.secret_key != archived:
        raise Refused("CAMPAGNE_SECRET_KEY is set to another key than the archive's, and it "
                      "takes precedence over the key file, so --with-key would have no "
                      "effect: put the archive's key (its member secret_key) in "
                      "CAMPAGNE_SECRET_KEY instead, or unset it, and run restore again")


def write_key_file(settings: CampagneSettings, key: str) -> Path:
    """Write ``key`` to the key file, mode 0600, whole or not at all."""
    path = Path(settings.secret_key_file)
    temporary = private_copy(path, key)
    try:
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
