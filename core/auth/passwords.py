"""Password hashing with Argon2id (argon2-cffi), parameters from the settings, and the
slots that bound how many hashes one process runs at once (each takes
``CAMPAGNE_ARGON2_MEMORY_KIB`` of memory while it runs)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from campagne.settings import CampagneSettings

MIN_LENGTH = 12
MAX_LENGTH = 128


class HashingBusy(Exception):
    """Every hashing slot of this process stayed taken while the caller could wait."""


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


_SLOTS: dict[int, threading.BoundedSemaphore] = {}
_SLOTS_LOCK = threading.Lock()


def _slots(size: int) -> threading.BoundedSemaphore:
    """The process's semaphore of ``size`` slots, made once."""
    with _SLOTS_LOCK:
        if size not in _SLOTS:
            _SLOTS[size] = threading.BoundedSemaphore(size)
        return _SLOTS[size]


@contextmanager
def hashing_slot(settings: CampagneSettings) -> Iterator[None]:
    """Hold one of the process's ``login_concurrent_hashes`` slots for the block; wait at
    most ``login_hash_wait_seconds`` for one, then raise :class:`HashingBusy`."""
    slots = _slots(settings.login_concurrent_hashes)
    wait = settings.login_hash_wait_seconds
    if not slots.acquire(blocking=wait > 0, timeout=wait if wait > 0 else None):
        raise HashingBusy
    try:
        yield
    finally:
        slots.release()


def password_problem(password: str) -> str | None:
    """Why ``password`` is not acceptable (ASVS 6.2: length only, no composition rules)."""
    if len(password) < MIN_LENGTH:
        return f"at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"at most {MAX_LENGTH} characters"
    return None
