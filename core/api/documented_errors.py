"""The error answers of the API, declared in the OpenAPI document as they really are.

Every JSON error has the body ``{"detail": "..."}``; an invalid input (422) adds
``errors``, one ``{"field", "message"}`` per problem. Which errors an operation can give
follows from what it depends on, so they are derived here once instead of being repeated
on every route:

- a bearer token, required or optional (``api_principal``, ``optional_principal``): 401,
  and 403 for an account without the role or the region;
- a path parameter: 404 (an unknown region, record or entry);
- any parameter or body: 422 (FastAPI's own 422 schema is replaced by ours);
- a body: 400 when it cannot be parsed, 413 (bodies are capped before they are parsed);
- every operation: 503 when no database connection came free in time.

Answers that depend on what a route does (409 on a stale version, 429 when slowed down)
are declared on the route itself (``responses={409: {"description": ...}}``); every error
answer without a body schema gets the one above.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.routing import BaseRoute

from campagne.api import documented_inputs, security

ResponsesDict = dict[int | str, dict[str, Any]]


class ErrorBody(BaseModel):
    """The body of every JSON error answer."""

    detail: str = Field(examples=["Unknown region 'cantal'"])


class FieldProblem(BaseModel):
    """One invalid value: where it is and what is wrong with it."""

    field: str = Field(examples=["body.email"])
    message: str


class InvalidInputBody(BaseModel):
    """The body of a 422 answer."""

    detail: str = Field(examples=["Invalid input"])
    errors: list[FieldProblem] = Field(default_factory=list)


_DESCRIPTIONS = {
    400: "The body cannot be read (not JSON, or not the form encoding it declares)",
    401: "Not signed in: send a valid bearer token (POST /api/v1/auth/token)",
    403: "The account may not do this (role or region)",
    404: "Unknown region or record",
    413: "The request body is too large",
    503: "Busy (no database connection free in time); the Retry-After header says when to "
         "try again",
}
_SIGNED_IN: set[Callable[..., Any]] = {security.api_principal, security.optional_principal}


def api_routes(routes: list[BaseRoute]) -> Iterator[Any]:
    """Every API operation of ``routes`` as served, routers included at any depth.

    Each item has the attributes of an ``APIRoute`` (``path_format``, ``methods``,
    ``dependant``...), with the prefixes and dependencies of the routers that include it.
    """
    iterate = getattr(routing, "iter_route_contexts", None)
    if iterate is None:  # FastAPI before routers were kept as included objects
        yield from (route for route in routes if isinstance(route, APIRoute))
        return
    for context in iterate(routes):
        if isinstance(context.original_route, APIRoute):
            yield context


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def _takes_path_parameters(dependant: Dependant) -> bool:
    return bool(dependant.path_params) or any(
        _takes_path_parameters(dependency) for dependency in dependant.dependencies)


def error_statuses(route: Any) -> list[int]:
    """The error statuses an operation can answer, from its dependencies and parameters."""
    calls = set(_calls(route.dependant))
    statuses = []
    if calls & _SIGNED_IN:  # then an account may also lack the role or the region
        statuses += [401, 403]
    if _takes_path_parameters(route.dependant):
        statuses.append(404)
    if route.body_field is not None:
        statuses += [400, 413]
    return statuses


def _reads_input(dependant: Dependant) -> bool:
    """True when the operation or one of its dependencies reads a parameter or a body."""
    return bool(dependant.path_params or dependant.query_params or dependant.header_params
                or dependant.cookie_params or dependant.body_params
                or any(_reads_input(dependency) for dependency in dependant.dependencies))


def _reference(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def _add_models(schema: dict[str, Any]) -> None:
    models = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorBody, FieldProblem, InvalidInputBody):
        definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
        definition.pop("$defs", None)
        models[model.__name__] = definition
    for unused in ("HTTPValidationError", "ValidationError"):
        models.pop(unused, None)


def document(schema: dict[str, Any], routes: list[BaseRoute]) -> dict[str, Any]:
    """Add the derived error answers to every operation of ``schema`` (changed in place)."""
    _add_models(schema)
    for route in api_routes(routes):
        if not route.include_in_schema:
            continue
        path_item = schema.get("paths", {}).get(route.path_format)
        if path_item is None:
            continue
        for method in route.methods or ():
            operation = path_item.get(method.lower())
            if operation is None:
                continue
            answers = operation.setdefault("responses", {})
            for status in error_statuses(route):
                answers.setdefault(str(status), {"description": _DESCRIPTIONS[status],
                                                 "content": _reference("ErrorBody")})
            answers.setdefault("503", {"description": _DESCRIPTIONS[503]})
            if _reads_input(route.dependant) or "422" in answers:
                answers["422"] = {"description": "Invalid input: each problem names its field",
                                  "content": _reference("InvalidInputBody")}
            for status, answer in answers.items():
                if status[0] in "45" and "content" not in answer:
                    answer["content"] = _reference("ErrorBody")
    return schema


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` declare the derived error answers, and the characters text
    inputs may hold (:mod:`campagne.api.documented_inputs`)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = documented_inputs.document(document(generate(), app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
