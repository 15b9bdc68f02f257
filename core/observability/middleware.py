"""Timing each request for ``campagne_http_request_duration_seconds``, labelled by the
route's template (``/{slug}/services``), never by the path a caller typed, so that the
number of series stays bounded."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from campagne.observability.metrics import InstanceMetrics

UNMATCHED = "unmatched"


class RequestTiming:
    """ASGI middleware observing each HTTP request's duration."""

    def __init__(self, app: ASGIApp, metrics: InstanceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            route = scope.get("route")
            template = getattr(route, "path_format", None) or getattr(route, "path", None)
            self.metrics.requests.labels(
                scope.get("method", ""), template or UNMATCHED, f"{status // 100}xx"
            ).observe(time.perf_counter() - started)
