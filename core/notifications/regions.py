"""Running a notification job in each of its regions that has the kind switched on."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from campagne.instance import Instance
from campagne.plugin_types import JobContext
from campagne.regions import RegionFolder


def queue_in_regions(context: JobContext, switch: str,
                     queue: Callable[[Session, Instance, RegionFolder], int]) -> int:
    """Call ``queue`` for each region of the job whose ``region.yaml`` leaves
    ``notifications.<switch>`` on, in one transaction; return how many e-mails were queued."""
    instance: Instance = context.instance
    queued = 0
    with Session(instance.engine) as session:
        for info in context.regions:
            folder = instance.region(info.slug)
            if folder is not None and getattr(folder.config.notifications, switch):
                queued += queue(session, instance, folder)
        session.commit()
    return queued
