"""The spreadsheet upload's size limit, enforced while the request body arrives.

FastAPI reads a whole multipart body (spooling files to disk) before the route runs, so a
check in the route comes after the bytes were received. :class:`CappedUploadRoute` counts
them as they arrive instead: a body that declares a larger ``Content-Length`` is refused
before any byte is read, a streamed one as soon as the count passes the cap; the answer is
413 with the error page saying how large a file may be."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.types import Message

from campagne.features.spreadsheets.reading import LIMITS, MIB, limits_from
from campagne.i18n import format_number, gettext

FORM_OVERHEAD = 64 * 1024  # the form's other fields and the multipart boundaries
CAP = LIMITS.max_bytes + FORM_OVERHEAD  # with the default CAMPAGNE_MAX_UPLOAD_BYTES


def cap_of(request: Request) -> int:
    """The largest body the upload may have on this instance (the file and its form)."""
    return limits_from(request.app.state.instance.settings).max_bytes + FORM_OVERHEAD


class BodyTooLarge(HTTPException):
    """The body passed the cap (an ``HTTPException``, which FastAPI's body reading lets
    through instead of turning it into a 400)."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


class CappedUploadRoute(APIRoute):
    """A route whose request body may not exceed :data:`CAP` bytes."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, given a request whose body is counted as it arrives."""
        handler = super().get_route_handler()

        async def capped(request: Request) -> Response:
            cap = cap_of(request)
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                return await too_large(request)
            received = 0
            receive = request.receive

            async def counting() -> Message:
                nonlocal received
                message = await receive()
                received += len(message.get("body", b""))
                if received > cap:
                    raise BodyTooLarge
                return message

            try:
                return await handler(Request(request.scope, counting))
            except BodyTooLarge:
                return await too_large(request)

        return capped


async def too_large(request: Request) -> Response:
    """The error page (413) saying how large a file may be."""
    message = gettext("The file is larger than %(size)s MB: split it into smaller files.") % {
        "size": format_number((cap_of(request) - FORM_OVERHEAD) / MIB, digits=0)}
    renderer = request.app.state.renderer
    response: Response = await run_in_threadpool(
        renderer.render, request, "error.html", {"status": 413, "message": message},
        status_code=413)
    response.headers["Connection"] = "close"  # the rest of the body is not read
    return response
