"""``/docs``: the interactive API documentation (Swagger UI), served by the instance itself
from the ``swagger-ui-bundle-v2`` package (Apache-2.0), so it works with no outside
network. ReDoc is not served."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

ASSETS = "/static/swagger-ui"
DOCS = "/docs"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"


def install_api_docs(app: FastAPI) -> None:
    """Serve Swagger UI's files under ``/static/swagger-ui`` and its page at ``/docs``."""
    app.mount(ASSETS, StaticFiles(directory=Path(str(swagger_ui_path))), name="swagger-ui")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get(DOCS, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        """The API's interactive documentation (in English, as the API is)."""
        page = get_swagger_ui_html(
            openapi_url=openapi_url, title=f"{app.title} API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url="/static/core/favicon.svg",
            oauth2_redirect_url=OAUTH2_REDIRECT)
        html = bytes(page.body).decode().replace("<html>", '<html lang="en">', 1)
        return HTMLResponse(html)

    @app.get(OAUTH2_REDIRECT, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        """Where Swagger UI's OAuth2 sign-in comes back."""
        return get_swagger_ui_oauth2_redirect_html()
