"""Reading a member instance's answers, bounded: a deadline for each whole answer (not
only per read), a maximum size once decompressed, strict JSON (no NaN, no infinity), and a
list of regions and statistics validated before anything is built from them."""

from __future__ import annotations

import asyncio
import json
import zlib
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from campagne.config import SLUG_PATTERN
from campagne.hub.config import HubConfig, MemberInstance
from campagne.stats.schema import StatsV1

MAX_REGIONS = 200  # an instance listing more is answering something else
HEADERS = {"Accept": "application/json", "Accept-Encoding": "gzip"}


class Unreachable(Exception):
    """The instance did not answer in time (refused, timed out, server error)."""


class InvalidAnswer(Exception):
    """The instance answered something that is not statistics of schema version 1."""


@dataclass(frozen=True)
class Limits:
    """What one request may cost."""

    retries: int
    deadline: float  # seconds for the whole answer, first byte to last
    max_bytes: int  # once decompressed
    timeout: float = 10  # seconds for one network operation (connecting, each read)

    @classmethod
    def of(cls, config: HubConfig) -> Limits:
        """The limits ``config`` sets."""
        return cls(config.retries, config.request_deadline_seconds, config.max_answer_bytes,
                   config.timeout_seconds)


class _Listed(BaseModel):
    model_config = ConfigDict(extra="ignore")

    slug: str = Field(pattern=SLUG_PATTERN)


LISTING = TypeAdapter(Annotated[list[_Listed], Field(max_length=MAX_REGIONS)])


class _Body:
    """The body as it arrives, decompressed (gzip or zlib) and refused past ``limit``."""

    def __init__(self, url: str, encoding: str, limit: int) -> None:
        self.url, self.limit, self.data = url, limit, bytearray()
        encoding = encoding.strip().lower()
        if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise InvalidAnswer(f"{url} answered with the encoding '{encoding[:40]}'")
        self.decoder = None if encoding in ("", "identity") else zlib.decompressobj(
            zlib.MAX_WBITS | 32)  # a gzip or a zlib header

    def add(self, chunk: bytes) -> None:
        room = self.limit - len(self.data)
        try:  # never more than one byte past the limit, however well it packs
            piece = self.decoder.decompress(chunk, room + 1) if self.decoder else chunk
        except zlib.error:
            raise InvalidAnswer(f"{self.url} sent a body that does not decompress") from None
        if len(piece) > room:
            raise InvalidAnswer(f"{self.url} sent more than {self.limit} bytes "
                                "(max_answer_bytes)")
        self.data += piece

    def end(self) -> bytes:
        """The whole body."""
        if self.decoder is not None:
            self.add(b"")
            rest = self.decoder.flush()
            if len(self.data) + len(rest) > self.limit:
                raise InvalidAnswer(f"{self.url} sent more than {self.limit} bytes "
                                    "(max_answer_bytes)")
            self.data += rest
        return bytes(self.data)


async def _read(client: httpx.AsyncClient, url: str, max_bytes: int) -> tuple[int, bytes]:
    """The status and, for a 200, the body of ``GET url``."""
    async with client.stream("GET", url, headers=HEADERS) as answer:
        if answer.status_code != 200:
            return answer.status_code, b""
        encoding = answer.headers.get("content-encoding", "")
        declared = answer.headers.get("content-length", "")
        if encoding in ("", "identity") and declared.isdigit() and int(declared) > max_bytes:
            raise InvalidAnswer(f"{url} announced {declared} bytes, more than {max_bytes} "
                                "(max_answer_bytes)")
        if answer.is_stream_consumed:  # built in memory (a mock transport): read already
            body = _Body(url, "", max_bytes)
            body.add(answer.content)
            return 200, body.end()
        body = _Body(url, encoding, max_bytes)
        async for chunk in answer.aiter_raw():
            body.add(chunk)
        return 200, body.end()


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(body: bytes, url: str) -> Any:
    """``body`` as strict JSON; NaN and infinities are refused."""
    try:
        return json.loads(body, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise InvalidAnswer(f"{url} did not answer JSON") from None


async def get_json(client: httpx.AsyncClient, url: str, limits: Limits) -> Any:
    """GET ``url`` as JSON within the deadline, retrying transport and server errors
    ``retries`` times; an answer that misses its deadline is not tried again."""
    last = ""
    for attempt in range(limits.retries + 1):
        try:
            async with asyncio.timeout(limits.deadline):
                status, body = await _read(client, url, limits.max_bytes)
        except TimeoutError:
            raise Unreachable(f"{url} gave no whole answer within {limits.deadline:g} s "
                              "(request_deadline_seconds)") from None
        except httpx.TimeoutException as exc:  # its message is often empty
            last = (f"{url}: {type(exc).__name__}, nothing came for {limits.timeout:g} s "
                    "(timeout_seconds)")
        except httpx.HTTPError as exc:
            last = f"{url}: {type(exc).__name__}: {exc}"
        else:
            if status < 500:
                if status != 200:
                    raise InvalidAnswer(f"{url} answered {status}")
                return parse_json(body, url)
            last = f"{url} answered {status}"
        if attempt < limits.retries:
            await asyncio.sleep(min(0.2 * (attempt + 1), 1.0))
    raise Unreachable(f"{last} (tried {limits.retries + 1} times)" if limits.retries else last)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(part)[:40] for part in error["loc"]) or "the document"
    return f"{where}: {error['msg']}"


def listed_slugs(listing: Any) -> list[str]:
    """The region slugs of an instance's ``/api/v1/regions``, each a valid slug, once."""
    try:
        slugs = [item.slug for item in LISTING.validate_python(listing)]
    except ValidationError as exc:
        raise InvalidAnswer(f"the list of regions is not valid ({_first_error(exc)})") from None
    if len(set(slugs)) != len(slugs):
        raise InvalidAnswer("the list of regions names a region twice")
    return slugs


def validated_stats(payload: Any, slug: str) -> StatsV1:
    """``payload`` as statistics of schema 1 about region ``slug``."""
    try:
        stats = StatsV1.model_validate(payload)
    except ValidationError as exc:
        raise InvalidAnswer(f"statistics of '{slug}' do not follow schema 1: "
                            f"{exc.error_count()} error(s), first {_first_error(exc)}") from None
    if stats.region.slug != slug:
        raise InvalidAnswer(f"statistics of '{slug}' are about '{stats.region.slug}'")
    return stats


async def fetch_instance(client: httpx.AsyncClient, member: MemberInstance,
                         limits: Limits) -> list[StatsV1]:
    """The validated statistics of every region ``member`` serves."""
    slugs = listed_slugs(await get_json(client, f"{member.url}/api/v1/regions", limits))
    return [validated_stats(await get_json(
        client, f"{member.url}/api/v1/regions/{slug}/stats", limits), slug) for slug in slugs]
