"""Per-request language choice and security headers, as plain ASGI middleware
(cheaper than ``BaseHTTPMiddleware``, and the language context reaches sync endpoints)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from campagne import i18n

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
ONE_YEAR = 60 * 60 * 24 * 365
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
}
# The interactive API documentation loads its own scripts; it gets no CSP.
NO_CSP_PREFIXES = ("/docs",)
# The same headers as ASGI raw headers, encoded once.
RAW_SECURITY_HEADERS = tuple((name.encode(), value.encode())
                             for name, value in SECURITY_HEADERS.items())
RAW_CSP = (b"content-security-policy", CONTENT_SECURITY_POLICY.encode())
RAW_HSTS = (b"strict-transport-security", f"max-age={ONE_YEAR}; includeSubDomains".encode())
RAW_VARY = (b"vary", b"Accept-Language, Cookie")


def _request_language(scope: Scope, default: str) -> tuple[str, str | None]:
    """The language to use and the one explicitly chosen with ``?lang=`` (if any)."""
    raw_query = scope.get("query_string", b"")
    chosen = (parse_qs(raw_query.decode("latin-1")).get("lang") or [None])[0] if raw_query \
        else None
    # Only the two headers read here (the last one wins when a header is repeated).
    cookie_header = accept_language = None
    for key, value in scope["headers"]:
        if key == b"cookie":
            cookie_header = value.decode("latin-1")
        elif key == b"accept-language":
            accept_language = value.decode("latin-1")
    cookie_value = None
    if cookie_header is not None:
        cookie = SimpleCookie()
        try:
            cookie.load(cookie_header)
        except Exception:  # noqa: BLE001 - a malformed cookie is ignored, not an error
            cookie = SimpleCookie()
        if i18n.LANG_COOKIE in cookie:
            cookie_value = cookie[i18n.LANG_COOKIE].value
    locale = i18n.negotiate(chosen, cookie_value, accept_language, default)
    return locale, chosen if chosen in i18n.SUPPORTED else None


class LanguageAndSecurityMiddleware:
    """Set the request's language, remember an explicit choice, add security headers.

    An unexpected error is answered here with the application's own handler (which logs it),
    inside the request's language and with the security headers: Starlette would otherwise
    answer it from its outermost middleware, in the default language and without them.
    """

    def __init__(self, app: ASGIApp, default_locale: str) -> None:
        self.app = app
        self.default_locale = default_locale

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Wrap one HTTP request; other scopes pass through."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        locale, chosen = _request_language(scope, self.default_locale)
        secure = scope.get("scheme") == "https"
        csp = not scope["path"].startswith(NO_CSP_PREFIXES)
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                raw = message["headers"] = list(message.get("headers", ()))
                present = {name.lower() for name, _value in raw}
                # Each header only where the response did not set its own (setdefault).
                wanted = [*RAW_SECURITY_HEADERS, *((RAW_CSP,) if csp else ()),
                          (b"content-language", locale.encode()),
                          *((RAW_HSTS,) if secure else ())]  # HTTPS, directly or via a proxy
                raw.extend(header for header in wanted if header[0] not in present)
                if scope.get("state", {}).get("private"):  # a signed-in account's response
                    headers = MutableHeaders(scope=message)
                    headers["cache-control"] = "no-store"
                    headers.setdefault("pragma", "no-cache")
                raw.append(RAW_VARY)
                if chosen:
                    flags = "; Secure" if secure else ""
                    raw.append((b"set-cookie", f"{i18n.LANG_COOKIE}={chosen}; Path=/; "
                                f"Max-Age={ONE_YEAR}; HttpOnly; SameSite=Lax{flags}".encode()))
            await send(message)

        scope.setdefault("state", {})  # shared with the request, read back in send
        token = i18n.current_locale.set(locale)
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            handler = _error_handler(scope)
            if started or handler is None:
                raise
            response = handler(Request(scope, receive), exc)
            if inspect.isawaitable(response):
                response = await response
            await response(scope, receive, send_with_headers)  # the handler logged it
        finally:
            i18n.current_locale.reset(token)


def _error_handler(scope: Scope) -> Callable[[Request, Exception], Any] | None:
    """The application's handler for unexpected errors (``Exception`` or 500), if any."""
    handlers = getattr(scope.get("app"), "exception_handlers", None) or {}
    handler: Callable[[Request, Exception], Any] | None = (
        handlers.get(Exception) or handlers.get(500))
    return handler
