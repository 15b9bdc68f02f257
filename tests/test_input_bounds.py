"""Every whole number a route takes (path, query, form, JSON body, however deep) is bounded to
what the database's integer columns hold, so that an id beyond them is refused with 422 and
never reaches a query (PostgreSQL ``integer`` stops at 2**31 - 1, SQLite at 2**63 - 1)."""

from __future__ import annotations

import types
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types
import pytest
from accounts_kit import world
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import BaseModel

from campagne.api.bounds import INT_MAX, INT_MIN
from campagne.app import create_app
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit


def _constraints(metadata: tuple[Any, ...]) -> Iterator[Any]:
    for item in metadata:
        if isinstance(item, annotated_types.GroupedMetadata):
            yield from item
        else:
            yield item


def _bounded(metadata: tuple[Any, ...]) -> bool:
    low = high = False
    for item in _constraints(metadata):
        low |= (isinstance(item, annotated_types.Ge) and item.ge >= INT_MIN) or (  # type: ignore[operator]
            isinstance(item, annotated_types.Gt) and item.gt >= INT_MIN - 1)  # type: ignore[operator]
        high |= (isinstance(item, annotated_types.Le) and item.le <= INT_MAX) or (  # type: ignore[operator]
            isinstance(item, annotated_types.Lt) and item.lt <= INT_MAX + 1)  # type: ignore[operator]
    return low and high


def unbounded(annotation: Any, metadata: tuple[Any, ...] = (), where: str = "",
              seen: set[type] | None = None) -> list[str]:
    """The places under ``annotation`` where an ``int`` has no bounds within the columns'."""
    seen = set() if seen is None else seen
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        return unbounded(base, (*metadata, *extra), where, seen)
    if origin in (Union, types.UnionType):
        return [p for arg in get_args(annotation) for p in unbounded(arg, metadata, where, seen)]
    if origin is not None:  # list[...], dict[...]: their items
        return [p for arg in get_args(annotation) for p in unbounded(arg, (), f"{where}[]", seen)]
    if annotation is int:
        return [] if _bounded(metadata) else [where]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return []
        seen.add(annotation)
        return [p for name, info in annotation.model_fields.items()
                for p in unbounded(info.annotation, tuple(info.metadata),
                                   f"{where}.{name}", seen)]
    return []


def _dependants(dependant: Any) -> Iterator[Any]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def route_problems(route: Any) -> list[str]:
    """The unbounded whole numbers a route takes."""
    found = []
    for dependant in _dependants(route.dependant):
        for kind in ("path_params", "query_params", "body_params", "header_params"):
            for param in getattr(dependant, kind):
                info = param.field_info
                found += [f"{route.path} {kind[:-7]} {where}" for where in unbounded(
                    info.annotation, tuple(info.metadata), param.alias)]
    return found


def test_every_whole_number_a_route_takes_is_bounded(tmp_path: Path) -> None:
    instance = RegionKit(tmp_path).instance(reference_region_paths())
    app = create_app(instance)
    problems = []
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute):
            problems += route_problems(route)
    instance.engine.dispose()
    assert not problems, "unbounded whole numbers:\n" + "\n".join(sorted(set(problems)))


def test_the_guard_finds_an_unbounded_number() -> None:
    class Inner(BaseModel):
        count: int

    class Outer(BaseModel):
        inner: list[Inner]
        fine: Annotated[int, annotated_types.Interval(ge=0, le=10)]

    assert unbounded(Outer) == [".inner[].count"]
    assert unbounded(int | None, (), "page") == ["page"]


@pytest.mark.parametrize("url", [
    "/api/v1/regions/gers/events/2147483648",
    "/api/v1/regions/gers/events/9223372036854775808",
    "/api/v1/regions/gers/spaces/2147483648",
    "/gers/meetups/2147483648",
    "/gers/rencontres/99999999999999999999",
    "/gers/events/2147483648.ics",
    "/gers/spaces/2147483648",
])
def test_public_ids_beyond_the_columns_are_refused(tmp_path: Path, database_url: str,
                                                   url: str) -> None:
    instance = RegionKit(tmp_path, database_url).instance(reference_region_paths())
    try:
        with TestClient(create_app(instance), raise_server_exceptions=False) as client:
            response = client.get(url)
        assert response.status_code in (404, 422), response.text
        if url.startswith("/api/"):
            assert response.json()["detail"]
    finally:
        instance.engine.dispose()


@pytest.mark.parametrize("url", [
    "/api/v1/regions/gers/members?page=9223372036854775807",
    "/api/v1/regions/gers/inquiries?page=9223372036854775807",
    "/api/v1/regions/gers/inquiries?advisor_id=2147483648",
    "/api/v1/regions/gers/members/2147483648",
])
def test_staff_pages_and_ids_beyond_the_columns_are_refused(tmp_path: Path,
                                                            database_url: str,
                                                            url: str) -> None:
    with world(tmp_path, database_url) as w:
        response = w.client.get(url, headers=w.headers("admin"))
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"].startswith(("query.", "path."))
