"""Test helpers for the spreadsheet pages: signing in through the form, uploading a file,
the mapping chosen on the page, and the whole way from upload to confirmation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

DATA = Path(__file__).parent / "data"
TOKEN = re.compile(r'name="token" value="([^"]+)"')


def upload(client: TestClient, csrf: str, name: str, kind: str = "members",
           content: bytes | None = None, sheet: str = "") -> Any:
    """Send a file on the import page."""
    return client.post("/gers/staff/import", data={"csrf": csrf, "kind": kind, "sheet": sheet},
                       files={"file": (name, content or (DATA / name).read_bytes())})


def chosen_fields(page: str) -> list[str]:
    """The field selected for each column on the mapping page."""
    selects = re.findall(r'<select id="field-\d+" name="field">(.*?)</select>', page, re.S)
    return [re.search(r'<option value="([^"]+)" selected', s).group(1)  # type: ignore[union-attr]
            for s in selects]


def upload_and_confirm(client: TestClient, csrf: str, name: str, kind: str,
                       content: bytes | None = None) -> str:
    """Upload, keep the automatic mapping, preview, confirm; return the report page."""
    mapping = upload(client, csrf, name, kind, content)
    assert mapping.status_code == 200, mapping.text
    token = TOKEN.search(mapping.text)
    assert token
    form = {"csrf": csrf, "token": token.group(1), "field": chosen_fields(mapping.text)}
    preview = client.post("/gers/staff/import/preview", data=form)
    assert preview.status_code == 200 and "import/confirm" in preview.text, preview.text
    confirmed = client.post("/gers/staff/import/confirm", data=form)
    assert confirmed.status_code == 200
    return confirmed.text

