"""When a job is due: cron expressions read in Paris time, with croniter; or a plain
interval (``every 3600s``), counted from the Unix epoch so that every process finds the
same due times."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from croniter import croniter

PARIS = ZoneInfo("Europe/Paris")
#: The value of a schedule override that switches a job off.
OFF = "off"
EVERY = re.compile(r"^every ([1-9][0-9]{0,6})s$")


class ScheduleInvalid(ValueError):
    """A schedule that is not a five-field cron expression."""


def check_schedule(expression: str) -> str:
    """``expression`` if it is a valid cron expression (or ``off``); else ScheduleInvalid
    naming what is wrong."""
    if expression == OFF or EVERY.match(expression):
        return expression
    if len(expression.split()) != 5 or not croniter.is_valid(expression):
        raise ScheduleInvalid(
            f"{expression!r} is not a cron schedule of five fields (minute hour day month "
            f"weekday, e.g. '30 3 * * *'), nor an interval ('every 900s'), nor '{OFF}'")
    return expression


def latest_slot(expression: str, now: dt.datetime) -> dt.datetime:
    """The last time at or before ``now`` that ``expression`` (Paris time) names, in UTC."""
    if every := _interval(expression):
        return _epoch(int(now.timestamp()) // every * every)
    # croniter's get_prev excludes the start itself; one second later includes it.
    start = (now + dt.timedelta(seconds=1)).astimezone(PARIS)
    previous = croniter(expression, start).get_prev(dt.datetime)
    return previous.astimezone(dt.UTC).replace(microsecond=0)


def next_slot(expression: str, now: dt.datetime) -> dt.datetime:
    """The first time after ``now`` that ``expression`` (Paris time) names, in UTC."""
    if every := _interval(expression):
        return _epoch((int(now.timestamp()) // every + 1) * every)
    following = croniter(expression, now.astimezone(PARIS)).get_next(dt.datetime)
    return following.astimezone(dt.UTC)


def _interval(expression: str) -> int | None:
    found = EVERY.match(expression)
    return int(found.group(1)) if found else None


def _epoch(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)
