"""Password hashing with Argon2id (argon2-cffi), parameters from the settings."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from campagne.settings import CampagneSettings

MIN_LENGTH = 12
MAX_LENGTH = 128


@cache
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hasher(settings: CampagneSettings) -> PasswordHasher:
    """The Argon2id hasher configured by ``settings``."""
    return _hasher(settings.argon2_time_cost, settings.argon2_memory_kib,
                   settings.argon2_parallelism)


def hash_password(settings: CampagneSettings, password: str) -> str:
    """The Argon2id hash of ``password`` (salted, self-describing)."""
    return hasher(settings).hash(password)


def verify_password(settings: CampagneSettings, stored: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored``; a missing hash still costs one hash."""
    if stored is None:
        hasher(settings).hash(password)  # same time whether the account exists or not
        return False
    try:
        return hasher(settings).verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why ``password`` is not acceptable (ASVS 6.2: length only, no composition rules)."""
    if len(password) < MIN_LENGTH:
        return f"at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"at most {MAX_LENGTH} characters"
    return None
