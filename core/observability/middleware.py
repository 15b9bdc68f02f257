"""What each request leaves behind: its duration in ``campagne_http_request_duration_seconds``
(labelled by the route's template, ``/{slug}/services``, never by the path a caller typed,
so that the number of series stays bounded), one ``campagne.access`` log line, and a
request id, taken from a trusted proxy's ``X-Request-ID`` when it is a plain token, else
made here, that the answer carries in ``X-Request-ID`` and every log line of the request
names."""

from __future__ import annotations

import itertools
import logging
import os
import re
import secrets
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from campagne.observability.logs import REQUEST_ID
from campagne.observability.metrics import InstanceMetrics

UNMATCHED = "unmatched"
HEADER = b"x-request-id"
#: An id a proxy may hand over: short, and nothing a log reader could be fooled by.
GIVEN_ID = re.compile(rb"^[A-Za-z0-9._-]{8,64}$")
access = logging.getLogger("campagne.access")


class RequestIds:
    """Request ids unique across processes: a random prefix of the process (made again in
    a forked child) and a counter, 32 hexadecimal characters like a UUID's. Cheaper than
    :func:`uuid.uuid4`, which reads the system's random source on every request."""

    def __init__(self) -> None:
        self._renew()
        os.register_at_fork(after_in_child=self._renew)

    def _renew(self) -> None:
        self._prefix = secrets.token_hex(8)
        self._counter = itertools.count(1)

    def next(self) -> str:
        """A new request id."""
        return f"{self._prefix}{next(self._counter):016x}"


request_ids = RequestIds()


class RequestObserver:
    """ASGI middleware: request id, timing and the access line of each HTTP request."""

    def __init__(self, app: ASGIApp, metrics: InstanceMetrics) -> None:
        self.app = app
        self.metrics = metrics
        self.series: dict[tuple[str, str, int], Any] = {}  # the histogram's child per labels

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = given_id(scope) or request_ids.next()
        token = REQUEST_ID.set(request_id)
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", []),
                                      (HEADER, request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path_format", None) or getattr(route, "path", None)
            labels = (scope.get("method", ""), template or UNMATCHED, status // 100)
            series = self.series.get(labels)
            if series is None:  # the set of routes, methods and classes is bounded
                series = self.series[labels] = self.metrics.requests.labels(
                    labels[0], labels[1], f"{status // 100}xx")
            series.observe(elapsed)
            # The path without its query string: links' secrets travel there (?token=).
            access.info("%s %s %d", scope.get("method", ""), scope.get("path", ""), status,
                        extra={"method": scope.get("method", ""), "path": scope.get("path", ""),
                               "route": template or UNMATCHED, "status": status,
                               "duration_ms": round(elapsed * 1000, 2)})
            REQUEST_ID.reset(token)


def given_id(scope: Scope) -> str | None:
    """The ``X-Request-ID`` a proxy sent, when it is a plain token of 8 to 64 characters."""
    for name, value in scope.get("headers", []):
        if name == HEADER and GIVEN_ID.match(value):
            return str(value.decode())
    return None
