"""Data revisions: a counter per region, raised in the same transaction as every change to
the region's records, so that figures computed from those records can be kept in memory
and served again until the counter moves (decision 0026).

* :mod:`.tracking` raises the counters: it watches what each transaction writes (ORM
  flushes and Core statements) and bumps the touched regions' counters just before commit.
* :mod:`.reading` reads them: one query for a region, one for all.
* :mod:`.cache` keeps computed figures per process, keyed by the revision they were
  computed at; another process's change is seen at the next read of the counter.
"""
