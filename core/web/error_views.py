"""The error pages of the site (404, 403 and the others) in the branding of the region the
path names, and the trailing-slash redirect that only leads to a page that exists."""

from __future__ import annotations

import logging

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import URL
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse
from starlette.routing import Router
from starlette.types import Message, Receive, Scope, Send

from campagne.i18n import gettext
from campagne.instance import Instance
from campagne.regions import RegionFolder
from campagne.web.templating import Renderer

log = logging.getLogger(__name__)
# Marks the inner request that tries the address with or without its trailing slash.
PROBE = "campagne.slash_probe"
# The detail of the CSRF refusal (campagne.web.sessions.check_csrf), said in plain words here.
FORM_TOKEN_REFUSED = "Invalid form token"  # noqa: S105 - a message, not a secret


def path_region(instance: Instance, path: str) -> RegionFolder | None:
    """The served region the path's first segment names (``/gers/nope`` names the Gers)."""
    first = path.lstrip("/").split("/", 1)[0]
    return instance.region(first) if first else None


def error_message(status: int, detail: object, shown: bool) -> str:
    """What the error page says under its heading: the error's own text when it was written
    for people, or a sentence for the status."""
    if status == 403 and detail == FORM_TOKEN_REFUSED:
        return gettext("This form has expired or came from another page. Go back, reload the "
                       "page and send the form again.")
    if shown or (status == 403 and isinstance(detail, str) and detail != "Forbidden"):
        return str(detail)
    if status == 404:
        return gettext("This page does not exist.")
    if status == 403:
        return gettext("Your account does not give access to this page.")
    return gettext("The request could not be served.")


def render_error(renderer: Renderer, request: Request, status: int, message: str
                 ) -> HTMLResponse:
    """The error page, in the branding of the region the path names (else the instance's,
    which is also the page when the region's own templates fail to render it)."""
    context = {"status": status, "message": message}
    region = path_region(renderer.instance, request.url.path)
    if region is not None:
        try:
            return renderer.render(request, "error.html", context, region=region,
                                   page="error", status_code=status)
        except Exception:
            log.exception("the error page of region %s failed; the site's is shown",
                          region.slug)
    return renderer.render(request, "error.html", context, page="error", status_code=status)


def install_slash_redirects(app: FastAPI) -> None:
    """Redirect an address to the same one with (or without) its trailing slash only when
    that one answers: Starlette's own ``redirect_slashes`` redirects as soon as a route's
    pattern matches (``/nowhere`` to ``/nowhere/``, which is then a 404). A ``GET`` or
    ``HEAD`` is tried inside first; other methods are never redirected. Otherwise the 404
    page answers at once."""
    router: Router = app.router
    router.redirect_slashes = False

    async def not_found(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        if (scope["type"] == "http" and not scope.get(PROBE) and path != "/"
                and scope["method"] in ("GET", "HEAD")):
            target = dict(scope)
            target["path"] = path.rstrip("/") if path.endswith("/") else path + "/"
            target[PROBE] = True
            if target["path"] and await _answers(router, target):
                await RedirectResponse(str(URL(scope=target)))(scope, receive, send)
                return
        raise HTTPException(status_code=404)

    router.default = not_found


async def _answers(router: Router, scope: Scope) -> bool:
    """True when ``scope`` gets an answer below 400 from the router (its body is dropped)."""
    status = 0

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    try:
        await router.app(scope, receive, send)
    except StarletteHTTPException:
        return False
    except Exception:
        log.exception("trying %s for a trailing-slash redirect failed", scope["path"])
        return False
    return 0 < status < 400
