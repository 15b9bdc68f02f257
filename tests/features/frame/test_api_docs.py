"""``/docs`` works with no outside network: Swagger UI's files come from the instance."""

from __future__ import annotations

import re
from importlib.metadata import distribution

from fastapi.testclient import TestClient


def test_the_api_page_loads_nothing_from_outside(demo_client: TestClient) -> None:
    answer = demo_client.get("/docs")
    assert answer.status_code == 200
    html = answer.text
    assert '<html lang="en">' in html
    assert not re.search(r"https?://", html), "no address outside the instance"
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert {"/static/swagger-ui/swagger-ui-bundle.js",
            "/static/swagger-ui/swagger-ui.css"} <= set(assets)
    for asset in assets:
        assert asset.startswith("/"), asset
        assert demo_client.get(asset).status_code == 200, asset
    assert "url: '/openapi.json'" in html
    assert demo_client.get("/openapi.json").status_code == 200


def test_swagger_ui_licence_ships_with_it_and_redoc_is_not_served(
        demo_client: TestClient) -> None:
    bundle = distribution("swagger-ui-bundle-v2")
    assert bundle.metadata["License"] == "Apache-2.0"
    assert any(path.name == "LICENSE" for path in bundle.files or [])
    assert demo_client.get("/redoc").status_code == 404
    redirect = demo_client.get("/docs/oauth2-redirect")
    assert redirect.status_code == 200 and not re.search(r"https?://", redirect.text)
