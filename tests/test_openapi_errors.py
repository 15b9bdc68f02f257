"""The OpenAPI document declares the error answers the API really gives, with their bodies."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def _operation(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    operation: dict[str, Any] = document["paths"][path][method]
    return operation


def test_protected_operations_declare_401_and_403(demo_client: TestClient) -> None:
    document = demo_client.get("/openapi.json").json()
    members = _operation(document, "/api/v1/regions/{slug}/members/{member_id}", "get")
    assert {"401", "403", "404", "422"} <= set(members["responses"])
    public = _operation(document, "/api/v1/regions", "get")
    assert not {"401", "403"} & set(public["responses"])


def test_error_bodies_are_documented_as_sent(demo_client: TestClient) -> None:
    document = demo_client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert schemas["InvalidInputBody"]["properties"]["detail"]["type"] == "string"
    answer = demo_client.get("/api/v1/network/compare?to=0")
    assert answer.status_code == 422
    body = answer.json()
    assert isinstance(body["detail"], str) and body["errors"][0]["field"] == "query.to"
    unauthorized = demo_client.get("/api/v1/regions/gers/members/1")
    assert unauthorized.status_code == 401 and isinstance(unauthorized.json()["detail"], str)


def test_operations_with_a_body_declare_unreadable_and_too_large(demo_client: TestClient
                                                                 ) -> None:
    document = demo_client.get("/openapi.json").json()
    inquiry = _operation(document, "/api/v1/regions/{slug}/inquiries", "post")
    assert {"400", "413", "422"} <= set(inquiry["responses"])
    answer = demo_client.post("/api/v1/regions/gers/inquiries", content=b"\xff{",
                              headers={"Content-Type": "application/json"})
    assert answer.status_code == 400


def test_a_wrong_method_names_every_method_of_the_resource(demo_client: TestClient) -> None:
    answer = demo_client.request("OPTIONS", "/api/v1/regions/gers/members/1")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, PATCH"
    search = demo_client.request("OPTIONS", "/api/v1/regions/gers/members/search")
    assert search.headers["allow"] == "POST"


def test_the_statistics_schema_is_documented_with_its_media_type(demo_client: TestClient
                                                                 ) -> None:
    document = demo_client.get("/openapi.json").json()
    answers = _operation(document, "/api/v1/schemas/stats-v1.json", "get")["responses"]
    assert list(answers["200"]["content"]) == ["application/schema+json"]
    answer = demo_client.get("/api/v1/schemas/stats-v1.json")
    assert answer.headers["content-type"].startswith("application/schema+json")
