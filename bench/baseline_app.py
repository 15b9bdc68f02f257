"""The baseline of the benchmark: a minimal FastAPI + Jinja2 application serving

* ``GET /page``: one HTML page rendered from a Jinja2 template (compiled once, a few
  variables and a loop), padded so that the page has exactly ``--html-bytes`` bytes;
* ``GET /data``: a JSON list of service-like objects, padded to exactly ``--json-bytes``
  bytes, serialised by FastAPI on every request from its return annotation.

No database, no middleware, no plug-in: what a page of that size costs with the same
framework, server and machine. Run it under uvicorn (one worker)::

    python bench/baseline_app.py --port 8001 --html-bytes 8449 --json-bytes 7067
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from jinja2 import DictLoader, Environment, select_autoescape

PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{{ title }}</title>
  <link rel="stylesheet" href="/static/site.css">
</head>
<body>
  <header><a href="/">{{ title }}</a></header>
  <main>
    <h1>{{ title }}</h1>
    <ul>
    {% for item in items %}
      <li><a href="/items/{{ item.slug }}">{{ item.name }}</a></li>
    {% endfor %}
    </ul>
<!--FILL-->
  </main>
  <footer><p>Baseline page.</p></footer>
</body>
</html>
"""
FILL_MARKER = "<!--FILL-->"
WORDS = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
         "incididunt ut labore et dolore magna aliqua. ")
CONTEXT: dict[str, Any] = {
    "lang": "fr",
    "title": "Baseline & co",
    "items": [{"slug": f"item-{n}", "name": f"Item {n} <b>"} for n in range(12)],
}


def filler(size: int) -> str:
    """``size`` bytes of ASCII HTML paragraphs (no paragraph if ``size`` is too small)."""
    if size <= 0:
        return ""
    chunks: list[str] = []
    left = size
    while left > 0:
        inner = max(left - len("<p></p>\n"), 0)
        if inner == 0:
            chunks.append(" " * left)
            break
        text = (WORDS * (inner // len(WORDS) + 1))[:min(inner, 400)]
        chunk = f"<p>{text}</p>\n"
        chunks.append(chunk)
        left -= len(chunk)
    return "".join(chunks)


def padded_environment(html_bytes: int) -> Environment:
    """An environment whose ``page.html`` renders ``CONTEXT`` to exactly ``html_bytes`` bytes."""

    def environment(fill: str) -> Environment:
        source = PAGE.replace(FILL_MARKER, fill)
        return Environment(loader=DictLoader({"page.html": source}),
                           autoescape=select_autoescape(default=True), trim_blocks=True,
                           lstrip_blocks=True)

    bare = len(environment("").get_template("page.html").render(CONTEXT).encode())
    env = environment(filler(html_bytes - bare))
    size = len(env.get_template("page.html").render(CONTEXT).encode())
    if html_bytes > bare and size != html_bytes:
        raise RuntimeError(f"padding failed: {size} bytes instead of {html_bytes}")
    return env


def encoded_size(value: object) -> int:
    """Bytes of ``value`` in FastAPI's compact JSON form."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def service_like(number: int) -> dict[str, Any]:
    """One object shaped like an entry of a service catalogue."""
    return {
        "slug": f"service-{number}",
        "category": "welcome",
        "name": {"fr": f"Service {number}", "en": f"Service {number}"},
        "description": {"fr": "Un service.", "en": "A service."},
        "delivered_by": "Operator",
        "price": {"amount": None, "currency": "EUR", "unit": None, "free": True, "note": None},
        "eligibility": "Everyone",
        "category_label": "Welcome",
        "plugin": None,
        "url": f"/api/v1/regions/baseline/services/service-{number}",
    }


def padded_payload(json_bytes: int) -> list[dict[str, Any]]:
    """Service-like objects whose JSON list has exactly ``json_bytes`` bytes (or more, if
    even one object is larger), padded in the last object's English description."""
    items = [service_like(0)]
    while encoded_size([*items, service_like(len(items))]) <= json_bytes:
        items.append(service_like(len(items)))
    missing = json_bytes - encoded_size(items)
    if missing > 0:
        description = items[-1]["description"]
        description["en"] += (WORDS * (missing // len(WORDS) + 1))[:missing]
    return items


def create_app(html_bytes: int, json_bytes: int, *, sync: bool = False) -> FastAPI:
    """The baseline application: ``async`` endpoints, like Campagne's region page and
    services API (run on the event loop); ``sync`` gives plain ``def`` ones instead (run in
    FastAPI's thread pool), as both applications had before."""
    app = FastAPI(title="Campagne benchmark baseline")
    template = padded_environment(html_bytes).get_template("page.html")
    payload = padded_payload(json_bytes)

    if sync:
        @app.get("/page", response_class=HTMLResponse)
        def page() -> HTMLResponse:
            return HTMLResponse(template.render(CONTEXT))

        @app.get("/data")
        def data() -> list[dict[str, Any]]:
            return payload
    else:
        @app.get("/page", response_class=HTMLResponse)
        async def async_page() -> HTMLResponse:
            return HTMLResponse(template.render(CONTEXT))

        @app.get("/data")
        async def async_data() -> list[dict[str, Any]]:
            return payload

    return app


def main() -> int:
    """Serve the baseline on loopback with uvicorn, one worker, no access log."""
    parser = argparse.ArgumentParser(description="Serve the benchmark's baseline application.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--html-bytes", type=int, required=True)
    parser.add_argument("--json-bytes", type=int, required=True)
    parser.add_argument("--sync", action="store_true",
                        help="plain def endpoints (thread pool) instead of async ones")
    args = parser.parse_args()
    app = create_app(args.html_bytes, args.json_bytes, sync=args.sync)
    uvicorn.run(app, host="127.0.0.1", port=args.port, workers=1, log_level="warning",
                access_log=False, server_header=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
