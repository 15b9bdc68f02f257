"""Work that must wait until the engine's transaction is committed.

A built-in feature taking part in a use case the engine owns (the GDPR hooks run in the
erasure's transaction) cannot send its e-mails there: the change could still be rolled
back. It leaves the work with :func:`defer`; the use case calls :func:`run_deferred` once
it has committed, and a rollback drops it (:func:`discard`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi import BackgroundTasks
from sqlmodel import Session

if TYPE_CHECKING:
    from campagne.instance import Instance

log = logging.getLogger(__name__)
PENDING = "campagne.after_commit"
Deferred = Callable[["Instance"], None]


def defer(session: Session, work: Deferred) -> None:
    """Run ``work`` with the instance once the transaction of ``session`` is committed."""
    session.info.setdefault(PENDING, []).append(work)


def discard(session: Session) -> None:
    """Forget the work left on ``session`` (its transaction was rolled back)."""
    session.info.pop(PENDING, None)


def run_deferred(session: Session, instance: Instance,
                 tasks: BackgroundTasks | None = None) -> None:
    """Run the work left on ``session`` (after the response when ``tasks`` is given, else
    now); a failure is logged and the rest goes on: the change it follows stands."""
    for work in session.info.pop(PENDING, []):
        if tasks is not None:
            tasks.add_task(_contained, work, instance)
        else:
            _contained(work, instance)


def _contained(work: Deferred, instance: Instance) -> None:
    try:
        work(instance)
    except Exception:
        log.exception("work after a commit failed")
