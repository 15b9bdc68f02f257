"""Behind a declared TLS-terminating proxy (``CAMPAGNE_PUBLIC_URL`` starting with https://),
every request is treated as HTTPS, whatever the proxy forwards: cookies are ``__Host-``
prefixed and ``Secure``, and every answer carries HSTS (see docs/security.md)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class DeclaredTlsMiddleware:
    """Set the scheme of HTTP requests to ``https`` before anything reads it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, marked as received over HTTPS."""
        if scope["type"] == "http":
            scope["scheme"] = "https"
        await self.app(scope, receive, send)
