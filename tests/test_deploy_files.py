"""The files of ``deploy/`` that docs/deployment.md installs, checked by the tools that will
read them: ``caddy validate``, ``nginx -t``, ``systemd-analyze verify``, a shell and
Campagne's own settings and production checks.

Each checker test skips, naming the Debian package, when its tool is missing; with
``CAMPAGNE_TEST_REQUIRE_DEPLOY_TOOLS=1`` (as ``.ci/run`` sets, after installing them) a
missing tool is a failure instead. Each checker is also shown a broken copy, so that a
checker that accepts anything cannot pass the test."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from deploy_kit import (
    CERT_DIR,
    DEPLOY,
    ENV_EXAMPLE,
    ROOT,
    TEST_KEY,
    UNITS,
    VENV,
    env_lines,
    self_signed_certificate,
    tool,
)
from sqlmodel import create_engine

from campagne.app import MULTIPART_ROOM
from campagne.auth.production import EXAMPLE_KEYS, production_problems
from campagne.settings import CampagneSettings

GUIDE = ROOT / "docs" / "deployment.md"
OPERATIONS = ROOT / "docs" / "operations.md"


def run(*command: str | Path,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a checker; its output, both streams, is in ``stdout``."""
    return subprocess.run([str(part) for part in command], text=True, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=120, check=False)


# -- Caddy ----------------------------------------------------------------------------------

def caddy_validate(caddyfile: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """``caddy validate`` with Caddy's own files (certificates, settings) kept in ``home``."""
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home),
           "XDG_CONFIG_HOME": str(home)}
    return run(tool("caddy", "caddy"), "validate", "--adapter", "caddyfile",
               "--config", caddyfile, env=env)


def test_caddyfile_is_valid_for_caddy(tmp_path: Path) -> None:
    result = caddy_validate(DEPLOY / "Caddyfile", tmp_path)
    assert result.returncode == 0, result.stdout
    assert "Valid configuration" in result.stdout
    # Caddy warns about what it accepts but would not do as written (unformatted input,
    # a header it sets itself...).
    assert '"level":"warn"' not in result.stdout, result.stdout


def test_caddy_refuses_a_broken_copy(tmp_path: Path) -> None:
    broken = tmp_path / "Caddyfile"
    broken.write_text((DEPLOY / "Caddyfile").read_text().replace("max_size", "max_sise"))
    assert caddy_validate(broken, tmp_path).returncode != 0


# -- nginx ----------------------------------------------------------------------------------

NGINX_FILES = ("campagne-http.conf", "campagne.conf")


def nginx_setup(folder: Path, replace: tuple[str, str] = ("", "")) -> Path:
    """A main nginx.conf in ``folder`` that includes the server blocks, with a self-signed
    certificate in place of Let's Encrypt's and the logs in ``folder``."""
    cert, key = self_signed_certificate(folder)
    includes = []
    for name in NGINX_FILES:
        text = (DEPLOY / "nginx" / name).read_text()
        text = (text.replace(f"{CERT_DIR}/fullchain.pem", str(cert))
                .replace(f"{CERT_DIR}/privkey.pem", str(key))
                .replace("/var/log/nginx/", f"{folder}/")
                .replace(*replace))
        (folder / name).write_text(text)
        includes.append(f"    include {folder / name};")
    temp = "\n".join(f"    {kind}_temp_path {folder}/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = folder / "nginx.conf"
    main.write_text(f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\n"
                    f"http {{\n    access_log {folder}/access.log;\n{temp}\n"
                    + "\n".join(includes) + "\n}\n")
    return main


def nginx_test(main: Path) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` on ``main``, every file it writes kept beside it."""
    folder = main.parent
    return run(tool("nginx", "nginx"), "-t", "-p", folder, "-e", folder / "error.log",
               "-c", main)


def test_nginx_server_blocks_are_valid_for_nginx(tmp_path: Path) -> None:
    result = nginx_test(nginx_setup(tmp_path))
    assert result.returncode == 0, result.stdout
    assert "test is successful" in result.stdout
    assert "[warn]" not in result.stdout, result.stdout


def test_nginx_refuses_a_broken_copy(tmp_path: Path) -> None:
    main = nginx_setup(tmp_path, replace=("client_max_body_size", "client_max_body_sise"))
    assert nginx_test(main).returncode != 0


# -- systemd --------------------------------------------------------------------------------

def units_with_this_venv(folder: Path) -> list[Path]:
    """The units copied to ``folder`` with the virtual environment running these tests in
    place of /srv/campagne/venv, so that ``systemd-analyze verify`` finds every program;
    the web template is verified as its instance campagne-web@8001."""
    for unit in UNITS.iterdir():
        (folder / unit.name).write_text(unit.read_text().replace(VENV, sys.prefix))
    names = sorted(unit.name for unit in UNITS.iterdir() if "@." not in unit.name)
    return [folder / name for name in [*names, "campagne-web@8001.service"]]


def systemd_verify(units: list[Path]) -> subprocess.CompletedProcess[str]:
    """``systemd-analyze verify``: it exits 0 on an unknown key or a value it cannot read
    (it ignores them, as systemd does), so any line it prints counts as a problem."""
    return run(tool("systemd-analyze", "systemd"), "verify", "--man=no", *units)


def test_systemd_units_verify_without_a_remark(tmp_path: Path) -> None:
    assert (Path(sys.prefix) / "bin" / "uvicorn").exists()
    assert (Path(sys.prefix) / "bin" / "campagne").exists()
    result = systemd_verify(units_with_this_venv(tmp_path))
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip() == "", result.stdout


def test_systemd_analyze_reports_a_misspelt_key(tmp_path: Path) -> None:
    units = units_with_this_venv(tmp_path)
    worker = tmp_path / "campagne-worker.service"
    worker.write_text(worker.read_text().replace("RestartSec=", "RestartSecs="))
    assert "RestartSecs" in systemd_verify(units).stdout


def test_units_agree_with_the_operations_guide() -> None:
    """docs/operations.md shows the worker, backup service and timer: same commands."""
    shown = OPERATIONS.read_text(encoding="utf-8")
    for name in ("campagne-worker.service", "campagne-backup.service",
                 "campagne-backup.timer"):
        for line in (UNITS / name).read_text().splitlines():
            if line.startswith(("ExecStart", "OnCalendar=", "EnvironmentFile=", "User=",
                                "WorkingDirectory=")):
                assert f"\n{line}\n" in shown, f"{name}: {line} is not what operations.md shows"


def test_web_unit_serves_the_factory_behind_the_proxy() -> None:
    unit = (UNITS / "campagne-web@.service").read_text()
    command = " ".join(unit.split("ExecStart=", 1)[1].split("\n\n")[0].split())
    assert command.startswith(f"{VENV}/bin/uvicorn --factory campagne.app:create_app_from_env")
    for option in ("--proxy-headers", "--forwarded-allow-ips 127.0.0.1", "--no-access-log",
                   "--host 127.0.0.1", "--port %i"):
        assert option in command
    assert "--workers" not in command  # see docs/deployment.md: one process per unit
    assert "RestartPreventExitStatus=2" in unit


# -- the environment file -------------------------------------------------------------------

def settings_names() -> set[str]:
    return {f"CAMPAGNE_{name.upper()}" for name in CampagneSettings.model_fields}


def test_every_name_of_the_environment_example_is_a_setting() -> None:
    names = set(re.findall(r"CAMPAGNE_[A-Z0-9_]+", ENV_EXAMPLE.read_text()))
    assert names - settings_names() == set()
    assert set(env_lines(ENV_EXAMPLE.read_text())) <= settings_names()


def shell_read_settings(env_file: Path) -> dict[str, str]:
    """The ``CAMPAGNE_*`` variables a POSIX shell exports after sourcing ``env_file``, as
    ``campagne-admin`` does."""
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith("CAMPAGNE_")}
    result = subprocess.run(["/bin/sh", "-c", 'set -a; . "$1"; set +a; env -0', "sh",
                             str(env_file)], env=clean, capture_output=True, text=True,
                            check=True, timeout=30)
    pairs = (item.split("=", 1) for item in result.stdout.split("\0") if "=" in item)
    return {key: value for key, value in pairs if key.startswith("CAMPAGNE_")}


def example_with_key(folder: Path, key: str) -> Path:
    text = ENV_EXAMPLE.read_text()
    placeholder = env_lines(text)["CAMPAGNE_SECRET_KEY"]
    copy = folder / "campagne.env"
    copy.write_text(text.replace(f"CAMPAGNE_SECRET_KEY={placeholder}",
                                 f"CAMPAGNE_SECRET_KEY={key}"))
    return copy


def test_systemd_and_a_shell_read_the_same_values(tmp_path: Path) -> None:
    assert shell_read_settings(ENV_EXAMPLE) == env_lines(ENV_EXAMPLE.read_text())


def settings_from(environment: dict[str, str],
                  monkeypatch: pytest.MonkeyPatch) -> CampagneSettings:
    """The settings a process started with ``environment`` reads (and only those)."""
    for name in os.environ:
        if name.startswith("CAMPAGNE_"):
            monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return CampagneSettings()


def test_production_mode_accepts_the_example_with_a_generated_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    environment = shell_read_settings(example_with_key(tmp_path, TEST_KEY))
    settings = settings_from(environment, monkeypatch)
    assert settings.production and settings.region_dirs == ["/srv/regions/gers"]
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        assert production_problems(settings, engine) == []
    finally:
        engine.dispose()


def test_production_mode_refuses_the_example_as_shipped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The placeholder key is the documented example: an instance started without
    replacing it refuses, naming the key, and nothing else."""
    values = env_lines(ENV_EXAMPLE.read_text())
    assert values["CAMPAGNE_SECRET_KEY"] in EXAMPLE_KEYS
    settings = settings_from(values, monkeypatch)
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        problems = production_problems(settings, engine)
    finally:
        engine.dispose()
    assert len(problems) == 1 and problems[0].startswith("CAMPAGNE_SECRET_KEY is the "
                                                         "documented example")


def body_limit(text: str, pattern: str) -> int:
    number, unit = re.search(pattern, text).groups()  # type: ignore[union-attr]
    return int(number) * {"k": 1024, "m": 1024 ** 2, "KiB": 1024, "MiB": 1024 ** 2}[unit]


def test_the_proxies_let_the_largest_body_campagne_accepts_through() -> None:
    values = env_lines(ENV_EXAMPLE.read_text())
    settings = CampagneSettings(max_body_bytes=values["CAMPAGNE_MAX_BODY_BYTES"],
                                max_upload_bytes=values["CAMPAGNE_MAX_UPLOAD_BYTES"])
    largest = max(settings.max_body_bytes, settings.max_upload_bytes + MULTIPART_ROOM)
    nginx = body_limit((DEPLOY / "nginx" / "campagne.conf").read_text(),
                       r"client_max_body_size (\d+)([km]);")
    caddy = body_limit((DEPLOY / "Caddyfile").read_text(), r"max_size (\d+)(KiB|MiB)")
    assert nginx >= largest and caddy >= largest


def test_campagne_admin_runs_a_command_with_the_settings(tmp_path: Path) -> None:
    """The wrapper sources the environment file and runs campagne as the service user
    (here root, the only user the test may switch to)."""
    if os.geteuid() != 0:
        pytest.skip("campagne-admin switches user with runuser, which needs root")
    tool("runuser", "util-linux")
    env_file = example_with_key(tmp_path, TEST_KEY)
    script = tmp_path / "campagne-admin"
    script.write_text((DEPLOY / "campagne-admin").read_text()
                      .replace("env_file=/etc/campagne/campagne.env", f"env_file={env_file}")
                      .replace(f"venv={VENV}", f"venv={sys.prefix}")
                      .replace("home=/srv/campagne", f"home={tmp_path}")
                      .replace("user=campagne", "user=root"))
    script.chmod(0o755)
    database = f"sqlite:///{tmp_path / 'campagne.db'}"
    result = run(script, "db", "upgrade", "--check", "--db", database)
    # An empty database: every setting was read (an invalid one exits 2), the schema is not.
    assert result.returncode == 1, result.stdout
    assert "migrations are pending" in result.stdout


# -- the guide ------------------------------------------------------------------------------

def test_the_guide_names_every_file_of_deploy() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    for path in sorted(DEPLOY.rglob("*")):
        if path.is_file():
            assert str(path.relative_to(ROOT)) in guide, f"docs/deployment.md never names {path}"
    for named in re.findall(r"\]\(\.\./(deploy/[^)#\s]+)\)", guide):
        assert (ROOT / named).exists(), f"docs/deployment.md links to a missing {named}"
