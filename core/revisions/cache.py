"""Figures kept in memory, each with the data revision it was computed at.

A figure is served from memory only while its revision is still the current one, read from
the database on every request; so a change committed through any process is seen by every
process at its next request, and nothing is ever served stale. Several threads may compute
the same missing figure at once: the figures are the same, the last one stays."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Engine

from campagne.revisions.reading import network_revision, region_revision

T = TypeVar("T")
#: Figures kept per process and database: regions × periods × kinds, with room to spare.
CAPACITY = 2048


class RevisionCache:
    """A bounded map from a key to ``(revision, value)``; the least recently used goes."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._entries: OrderedDict[Hashable, tuple[int, object]] = OrderedDict()
        self._capacity = capacity
        self._lock = Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, revision: int, compute: Callable[[], T]) -> T:
        """The value kept for ``key`` at ``revision``, else ``compute()``, kept."""
        found, kept = self.lookup(key, revision)
        if found:
            return kept  # type: ignore[return-value]
        value = compute()
        self.keep(key, revision, value)
        return value

    def lookup(self, key: Hashable, revision: int) -> tuple[bool, object]:
        """Whether a value is kept for ``key`` at ``revision``, and that value: for a
        caller that must compute a missing one elsewhere (in a worker thread)."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0] == revision:
                self._entries.move_to_end(key)
                self.hits += 1
                return True, found[1]
            self.misses += 1
        return False, None

    def keep(self, key: Hashable, revision: int, value: object) -> None:
        """Keep ``value`` for ``key`` as computed at ``revision`` (unless a later one is)."""
        with self._lock:
            current = self._entries.get(key)
            if current is None or current[0] <= revision:
                self._entries[key] = (revision, value)
                self._entries.move_to_end(key)
                while len(self._entries) > self._capacity:
                    self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every figure."""
        with self._lock:
            self._entries.clear()


_caches: WeakKeyDictionary[Engine, RevisionCache] = WeakKeyDictionary()


def cache_of(engine: Engine) -> RevisionCache:
    """The figures kept for ``engine``'s database in this process."""
    found = _caches.get(engine)
    if found is None:
        found = _caches.setdefault(engine, RevisionCache())
    return found


def region_figure(engine: Engine, region_slug: str, key: Hashable,
                  compute: Callable[[], T], revision: int | None = None) -> T:
    """A figure of one region: served from memory while the region's records are
    unchanged, else computed by ``compute`` (which reads the database) and kept; with
    ``revision``, the region's revision already read for the same request."""
    if revision is None:
        revision = region_revision(engine, region_slug)
    return cache_of(engine).get(("region", region_slug, key), revision, compute)


def network_figure(engine: Engine, key: Hashable, compute: Callable[[], T]) -> T:
    """A figure of all regions together (a comparison), kept while no region changed."""
    revision = network_revision(engine)
    return cache_of(engine).get(("network", key), revision, compute)
