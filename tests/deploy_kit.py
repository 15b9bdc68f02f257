"""What the tests of ``deploy/`` share: where its files are, the tools that read them (a skip
naming the Debian package when one is missing, a failure instead with
``CAMPAGNE_TEST_REQUIRE_DEPLOY_TOOLS=1``), the environment file as systemd reads it, and a
self-signed certificate in place of Let's Encrypt's."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
ENV_EXAMPLE = DEPLOY / "campagne.env.example"
UNITS = DEPLOY / "systemd"
#: Where the units and campagne-admin expect the virtual environment.
VENV = "/srv/campagne/venv"
#: The instance's name in the files of deploy/.
SERVER_NAME = "campagne.example.org"
CERT_DIR = f"/etc/letsencrypt/live/{SERVER_NAME}"
#: A key for the tests only: production mode must accept it, as it accepts a generated one.
TEST_KEY = "tD3v9QeLw0Zr7XnKp2HsYb5MuJ8cAgF1oRiE4lNq6VxTzWmB"


def tool(name: str, package: str) -> str:
    """The path of ``name``; skip (or fail, when the tools are required) without it."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (Debian package {package})"
        if os.environ.get("CAMPAGNE_TEST_REQUIRE_DEPLOY_TOOLS") == "1":
            pytest.fail(f"CAMPAGNE_TEST_REQUIRE_DEPLOY_TOOLS=1 but {message}")
        pytest.skip(message)
    return path


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for ``SERVER_NAME`` and its key, written in ``folder``: the files
    certbot would put in ``CERT_DIR``."""
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run([tool("openssl", "openssl"), "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-days", "1", "-subj", f"/CN={SERVER_NAME}",
                    "-addext", f"subjectAltName=DNS:{SERVER_NAME}",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def env_lines(text: str) -> dict[str, str]:
    """The settings of an environment file as systemd reads them, for the forms the file
    may use: ``NAME=value`` with no quote, or ``NAME='value'``."""
    values = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        match = re.fullmatch(r"([A-Z][A-Z0-9_]*)=(?:'([^']*)'|([^'\"\s\\$`]*))", line)
        assert match, f"line {number}: {line!r} is read differently by systemd and a shell"
        values[match[1]] = match[2] if match[2] is not None else match[3]
    return values
