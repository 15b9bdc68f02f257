"""Two answers for the application's error handling, neither of them a 500:

- every database connection of the process's pool is in use and none came free in time
  (SQLAlchemy's pool ``TimeoutError``, after ``pool_timeout``): 503 with ``Retry-After``,
  so clients and proxies try again instead of reporting a failure;
- a write would give a region two records of the same person
  (:class:`~campagne.uniqueness.DuplicatePerson`): 409 saying which.

JSON for the API, the error page elsewhere."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import TimeoutError as PoolTimeout

from campagne.i18n import gettext
from campagne.uniqueness import DuplicatePerson
from campagne.web.templating import Renderer

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


def install(app: FastAPI, renderer: Renderer, wants_json: Callable[[Request], bool]) -> None:
    """Register the two handlers on ``app``."""

    def answer(request: Request, status: int, message: str,
               headers: dict[str, str] | None = None) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": message}, status_code=status, headers=headers)
        page = renderer.render(request, "error.html", {"status": status, "message": message},
                               status_code=status)
        page.headers.update(headers or {})
        return page

    # Plain functions: Starlette runs them in a worker thread, so that rendering a page never
    # blocks the event loop.
    @app.exception_handler(PoolTimeout)
    def pool_exhausted(request: Request, exc: PoolTimeout) -> Response:
        log.warning("no database connection free in time for %s: answered 503",
                    request.url.path)
        request.state.session_looked_up = True  # the page's layout must not wait for one
        return answer(request, 503, gettext("The service is busy: try again in a few "
                                            "seconds."),
                      {"Retry-After": str(RETRY_AFTER_SECONDS)})

    @app.exception_handler(DuplicatePerson)
    def duplicate_person(request: Request, exc: DuplicatePerson) -> Response:
        return answer(request, 409, exc.translated())
