"""The issue's acceptance path, as a new user takes it: ``campagne demo`` running, accounts
made with ``campagne users create`` from the same folder, then real HTTP."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import httpx
from cli_kit import campagne_command, running

PASSWORD = "a long enough demo password"


def users_create(cwd: Path, *args: str) -> None:
    """Run ``campagne users create ... --password-stdin`` in ``cwd``."""
    env = {k: v for k, v in os.environ.items() if k != "CAMPAGNE_DATABASE_URL"}
    subprocess.run([*campagne_command(), "users", "create", *args, "--password-stdin"], cwd=cwd,
                   input=f"{PASSWORD}\n", text=True, check=True, env=env, capture_output=True)


def token(client: httpx.Client, email: str) -> dict[str, str]:
    """Bearer header from the OAuth2 password flow."""
    answer = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_new_user_path_on_the_demo(tmp_path: Path) -> None:
    with running(["demo"], tmp_path) as base, httpx.Client(base_url=base, timeout=60) as client:
        users_create(tmp_path, "staff@gers.example", "--role", "staff", "--region", "gers")
        staff = token(client, "staff@gers.example")
        listed = client.get("/api/v1/regions/gers/members", headers=staff)
        assert listed.status_code == 200
        assert client.get("/api/v1/regions/orne/members", headers=staff).status_code == 403
        assert client.get("/api/v1/regions/gers/members").status_code == 401

        form = client.get("/account/sign-in").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form)
        assert csrf
        signed = client.post("/account/sign-in", data={
            "csrf": csrf.group(1), "email": "staff@gers.example", "password": PASSWORD})
        assert signed.status_code == 303
        assert client.get("/gers/staff/members").status_code == 200

        person = listed.json()["items"][0]
        users_create(tmp_path, "member@gers.example", "--role", "member",
                     "--member", str(person["id"]))
        export = client.get("/api/v1/me/export", headers=token(client, "member@gers.example"))
        assert export.status_code == 200 and export.json()["record"]["id"] == person["id"]

        before = client.get("/api/v1/regions/gers").json()["key_figures"]
        erased = client.post(f"/api/v1/regions/gers/members/{person['id']}/erase",
                             headers=staff)
        assert erased.status_code == 200
        assert client.get("/api/v1/regions/gers").json()["key_figures"] == before
        record = client.get(f"/api/v1/regions/gers/members/{person['id']}",
                            headers=staff).json()
        assert person["last_name"] not in (record["first_name"], record["last_name"])
        assert record["email"] is None
