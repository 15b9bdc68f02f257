"""What a request may bring, checked before any route reads it (plain ASGI middleware).

- The body is capped: a ``Content-Length`` above the limit is answered 413 at once, without
  reading the body; a body sent in chunks is counted as it arrives and refused 413 as soon as
  it passes the limit. The limit is per path (larger for the spreadsheet upload).
- Text holding a character no field may hold (NUL and the other control characters but tab
  and line breaks, lone UTF-16 surrogates) is refused 422 wherever it is: the path, the query
  string, a url-encoded or multipart form (file contents excepted), a JSON body (keys too).
  PostgreSQL cannot store NUL, and a lone surrogate has no UTF-8 form: neither may reach the
  database or a response.

JSON and url-encoded bodies are read whole (within the limit), checked with the parsers the
application uses, then handed on; multipart bodies are checked as they stream to the
application (files are never held here).
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message as MimeMessage
from typing import Any

from starlette.datastructures import Headers, QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from campagne.i18n import format_number, gettext
from campagne.i18n_markers import N_
from campagne.web.multipart_watch import MultipartWatch

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
TOO_LARGE = N_("The request is too large: at most %(size)s MB can be sent.")
NOT_ALLOWED = N_("The field %(name)s holds a character that is not allowed (a control "
                 "character such as NUL, or a lone surrogate).")
NOT_ALLOWED_IN_PATH = N_("The address holds a character that is not allowed (a control "
                         "character such as NUL).")


def refused(text: str) -> bool:
    """True when ``text`` holds a character that no field may hold."""
    return FORBIDDEN.search(text) is not None


class InputRefused(HTTPException):
    """A refusal of the guard, whose message (translated) is shown on pages too."""


def too_large(limit: int) -> InputRefused:
    """The 413 for a body above ``limit`` bytes."""
    size = format_number(limit / 1_048_576, digits=0 if limit % 1_048_576 == 0 else 2)
    return InputRefused(status_code=413, detail=gettext(TOO_LARGE) % {"size": size})


def not_allowed(name: str) -> InputRefused:
    """The 422 for a field holding a forbidden character (its name shown escaped, short)."""
    shown = name.encode("unicode_escape").decode()[:60]
    return InputRefused(status_code=422, detail=gettext(NOT_ALLOWED) % {"name": f"'{shown}'"})


@dataclass(frozen=True)
class BodyLimits:
    """The largest body accepted, in bytes: ``default``, or the limit of the first pattern
    of ``larger`` that matches the path."""

    default: int
    larger: tuple[tuple[re.Pattern[str], int], ...] = ()

    def for_path(self, path: str) -> int:
        """The limit for a request to ``path``."""
        return next((limit for pattern, limit in self.larger if pattern.match(path)),
                    self.default)


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string of a parsed JSON document (keys too), with the name it came under."""
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:  # no recursion: a deeply nested document must not exhaust the stack
        item, name = stack.pop()
        if isinstance(item, str):
            yield name, item
        elif isinstance(item, dict):
            for key, inner in item.items():
                yield key, key
                stack.append((inner, key))
        elif isinstance(item, list):
            stack.extend((inner, name) for inner in item)


def _url_problem(scope: Scope) -> InputRefused | None:
    if refused(scope["path"]):
        return InputRefused(status_code=422, detail=gettext(NOT_ALLOWED_IN_PATH))
    if scope.get("query_string"):
        for key, value in QueryParams(scope["query_string"]).multi_items():
            if refused(key) or refused(value):
                return not_allowed(key)
    return None


def _body_problem(kind: str, body: bytes) -> InputRefused | None:
    if kind == "form":
        for key, value in QueryParams(body).multi_items():  # as Starlette's form parser
            if refused(key) or refused(value):
                return not_allowed(key)
        return None
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None  # not JSON: the application answers it as it does now
    return next((not_allowed(name) for name, text in _strings(document, "")
                 if refused(text)), None)


def _body_kind(headers: Headers) -> str | None:
    """How the application will read the body: "json", "form", "multipart" or not at all."""
    content_type = headers.get("content-type")
    if not content_type:
        return "json"  # FastAPI reads a body without a type as JSON
    message = MimeMessage()
    message["content-type"] = content_type
    media = message.get_content_type()
    if media == "application/x-www-form-urlencoded":
        return "form"
    if media == "multipart/form-data":
        return "multipart"
    if message.get_content_maintype() == "application" and (
            media.endswith("/json") or media.endswith("+json")):
        return "json"
    return None


class RequestGuard:
    """Cap request bodies and refuse forbidden characters (see the module's docstring)."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check one HTTP request; other scopes pass through."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = _url_problem(scope)
        if problem is not None:
            await _answer(scope, receive, send, problem)
            return
        headers = Headers(scope=scope)
        limit = self.limits.for_path(scope["path"])
        length = headers.get("content-length")
        # Where a route has a larger limit of its own (the spreadsheet upload), it refuses a
        # declared length itself, with a message about the file; the count below stays.
        if length is not None and length.isascii() and length.isdigit() and int(length) > limit \
                and limit == self.limits.default:
            await _answer(scope, receive, send, too_large(limit))
            return
        if length == "0" or (length is None and "transfer-encoding" not in headers):
            await self.app(scope, receive, send)  # no body
            return
        kind = _body_kind(headers)
        if kind in ("json", "form"):
            await self._checked_whole(scope, receive, send, limit, kind or "")
        else:
            watch = MultipartWatch.for_content_type(headers.get("content-type", ""), refused) \
                if kind == "multipart" else None
            await self.app(scope, _counted(receive, limit, watch), send)

    async def _checked_whole(self, scope: Scope, receive: Receive, send: Send, limit: int,
                             kind: str) -> None:
        """Read the body (within the limit), check it, then hand it to the application."""
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left: nothing to answer, no half body to hand on
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _answer(scope, receive, send, too_large(limit))
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        problem = _body_problem(kind, body) if body else None
        if problem is not None:
            await _answer(scope, receive, send, problem)
            return
        handed = False

        async def replay() -> Message:
            nonlocal handed
            if handed:
                return await receive()  # after the body: a disconnection, for streaming
            handed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _counted(receive: Receive, limit: int, watch: MultipartWatch | None) -> Receive:
    """``receive``, refusing the body once it passes ``limit`` bytes or once a multipart
    field holds a forbidden character (raised inside the application's read of the body,
    so its handler answers)."""
    size = 0

    async def counting() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise too_large(limit)
            if watch is not None:
                name = watch.feed(chunk)
                if name is not None:
                    raise not_allowed(name)
        return message

    return counting


async def _answer(scope: Scope, receive: Receive, send: Send, error: HTTPException) -> None:
    """Answer with the application's own handler of HTTP errors (JSON for the API, the error
    page elsewhere), as if a route had raised ``error``."""
    handlers = getattr(scope.get("app"), "exception_handlers", None) or {}
    handler = handlers.get(HTTPException) or handlers.get(error.status_code)
    if handler is None:
        response = JSONResponse({"detail": error.detail}, status_code=error.status_code)
    else:
        response = handler(Request(scope, receive), error)
        if inspect.isawaitable(response):
            response = await response
    await response(scope, receive, send)
