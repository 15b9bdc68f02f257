"""What a check finds, and what every check is given."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from sqlalchemy import Engine

from campagne.instance import Instance
from campagne.settings import CampagneSettings


class Status(StrEnum):
    """How a finding stands: all is well, something to look at, something broken."""

    OK = "OK"
    WARN = "WARN"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Finding:
    """One line of the report: which check, how it stands, what was found, the fix."""

    check: str
    status: Status
    message: str
    fix: str = ""

    def as_dict(self) -> dict[str, str]:
        """The finding as ``--json`` writes it."""
        return {"check": self.check, "status": self.status.value, "message": self.message,
                "fix": self.fix}


def ok(check: str, message: str) -> Finding:
    """An OK line."""
    return Finding(check, Status.OK, message)


def warn(check: str, message: str, fix: str) -> Finding:
    """A WARN line, with its fix."""
    return Finding(check, Status.WARN, message, fix)


def fail(check: str, message: str, fix: str) -> Finding:
    """A FAIL line, with its fix."""
    return Finding(check, Status.FAIL, message, fix)


@dataclass
class Deployment:
    """What the checks look at: the settings, the region folders, the options, the time.

    ``engine`` is set once the database answered, ``instance`` once the region folders
    loaded; the checks that need them are skipped otherwise (an earlier line said why)."""

    settings: CampagneSettings
    region_dirs: list[Path]
    now: dt.datetime
    fetch_url: str | None = None
    backup_dir: Path | None = None
    engine: Engine | None = None
    instance: Instance | None = None
    secrets: list[str] = field(default_factory=list)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` with its zone: those read from SQLite come without it, and are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
