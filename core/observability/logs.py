"""How the instance logs: one JSON object a line in production (python-json-logger), plain
text elsewhere; every line written while a request is served carries its request id."""

from __future__ import annotations

import logging
import os
import sys
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

from campagne.settings import CampagneSettings

#: The id of the request being served (``None`` outside a request).
REQUEST_ID: ContextVar[str | None] = ContextVar("campagne_request_id", default=None)
TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
#: uvicorn's loggers: they are sent to the same handler, their access lines are replaced by
#: the instance's own (``campagne.access``).
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (the current request's, or none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the record, with the id."""
        record.request_id = REQUEST_ID.get()
        return True


def wants_json(settings: CampagneSettings) -> bool:
    """JSON when asked (``CAMPAGNE_LOG_FORMAT=json``), or in production unless told
    ``text``."""
    if settings.log_format is not None:
        return settings.log_format == "json"
    return settings.production


class CampagneHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler :func:`configure_logging` installs (told apart from others')."""


def configure_logging(settings: CampagneSettings) -> None:
    """Send every log line, uvicorn's included, to standard error in the chosen format, at
    ``CAMPAGNE_LOG_LEVEL`` (INFO by default). Where logging was set up by someone else (an
    embedding program, a test runner), it is left as it is, as ``logging.basicConfig``
    does."""
    root = logging.getLogger()
    if any(not isinstance(handler, CampagneHandler) for handler in root.handlers):
        return
    level = os.environ.get("CAMPAGNE_LOG_LEVEL", "INFO").upper()
    handler = CampagneHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(json_formatter() if wants_json(settings)
                         else logging.Formatter(TEXT_FORMAT))
    root.handlers[:] = [handler]
    root.setLevel(level if level in logging.getLevelNamesMapping() else "INFO")
    for name in UVICORN_LOGGERS:
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = name != "uvicorn.access"


def json_formatter() -> JsonFormatter:
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request id and
    the extra fields of the record (method, path, status, duration_ms...)."""
    return JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level",
                                                     "name": "logger"},
                         datefmt="%Y-%m-%dT%H:%M:%S%z")
