"""``/api/v1/regions/{slug}/stats``: a region's open statistics, in JSON or CSV, with
validators for caching (ETag, Last-Modified), and the JSON Schema they follow."""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from campagne.api.deps import InstanceDep, RegionDep, SessionDep
from campagne.api.regions import NOT_FOUND
from campagne.features.statistics.engine import StatsOptions
from campagne.features.statistics.published import entity_tag, published_stats
from campagne.features.statistics.tabular import stats_rows, to_csv
from campagne.instance import Instance
from campagne.stats.period import Period
from campagne.stats.schema import SCHEMA_PATH, StatsV1, json_schema

router = APIRouter(tags=["statistics"])
FromQuery = Annotated[int | None, Query(alias="from", ge=1900, le=2100,
                                        description="First calendar year covered")]
ToQuery = Annotated[int | None, Query(alias="to", ge=1900, le=2100,
                                      description="Last calendar year covered")]
FormatQuery = Annotated[Literal["json", "csv"] | None,
                        Query(description="json (default) or csv; or send Accept: text/csv")]


def stats_options(instance: Instance) -> StatsOptions:
    """The instance's disclosure threshold and licence."""
    settings = instance.settings
    return StatsOptions(threshold=settings.stats_threshold,
                        licence_name=settings.stats_licence_name,
                        licence_url=settings.stats_licence_url)


def period_from(first: int | None, last: int | None) -> Period:
    """Whole calendar years; the end is never after today. ``from`` after ``to`` is a 422."""
    if first is not None and last is not None and first > last:
        raise RequestValidationError([{"loc": ("query", "from"), "type": "value_error",
                                       "msg": "'from' is after 'to'"}])
    return Period.years(first, last)


def wants_csv(request: Request, fmt: str | None) -> bool:
    """CSV when asked by ``?format=csv`` or, without ``format``, by the Accept header."""
    if fmt is not None:
        return fmt == "csv"
    return "text/csv" in request.headers.get("accept", "")


def cached_response(request: Request, body: str, media_type: str, tag: str,
                    modified: dt.datetime | None, extra: dict[str, str]) -> Response:
    """``304`` when the client's copy is current, else the body with its validators."""
    headers = {"ETag": tag, "Cache-Control": "public, max-age=300", "Vary": "Accept", **extra}
    if modified is not None:
        headers["Last-Modified"] = format_datetime(modified.astimezone(dt.UTC), usegmt=True)
    asked = {value.strip() for value in request.headers.get("if-none-match", "").split(",")}
    if tag in asked or "*" in asked:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def licence_link(stats: StatsV1) -> str:
    """A ``Link`` header naming the licence and the schema."""
    return f'<{stats.licence.url}>; rel="license", <{SCHEMA_PATH}>; rel="describedby"'


@router.get("/api/v1/regions/{slug}/stats", summary="A region's open statistics",
            response_model=StatsV1, responses={
                **NOT_FOUND, 304: {"description": "Not modified (If-None-Match)"},
                200: {"content": {"text/csv": {}}}})
def region_stats(request: Request, region: RegionDep, session: SessionDep,
                 instance: InstanceDep, from_year: FromQuery = None, to_year: ToQuery = None,
                 format: FormatQuery = None) -> Response:
    """Members, arrivals, sectors, origins, services used, retention and more, for whole
    calendar years (``from``, ``to``; by default since the first record until today).
    Every count concerns at least ``disclosure.threshold`` people or is ``null``."""
    period = period_from(from_year, to_year)
    published = published_stats(session, instance, region, period, stats_options(instance))
    extra = {"Link": licence_link(published.stats)}
    if wants_csv(request, format):
        extra["Content-Disposition"] = f'attachment; filename="{region.slug}-stats.csv"'
        return cached_response(request, to_csv(stats_rows(published.stats)),
                               "text/csv; charset=utf-8",
                               entity_tag(published.figures, "csv"), published.modified, extra)
    return cached_response(request, published.body, "application/json", published.tag,
                           published.modified, extra)


class JSONSchemaResponse(JSONResponse):
    """A JSON Schema document, with its own media type."""

    media_type = "application/schema+json"


@router.get(SCHEMA_PATH, summary="JSON Schema of the statistics, version 1",
            response_class=JSONSchemaResponse)
def stats_schema() -> JSONSchemaResponse:
    """The JSON Schema (draft 2020-12) the statistics follow; stable for version 1."""
    return JSONSchemaResponse(json_schema(), headers={"Cache-Control": "public, max-age=86400"})
