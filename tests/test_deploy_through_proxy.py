"""docs/deployment.md followed as far as a test may: a Campagne web process started with the
command of ``deploy/systemd/campagne-web@.service`` and the settings of
``deploy/campagne.env.example``, on a region folder prepared with ``campagne db upgrade``,
behind nginx (``deploy/nginx/``) and behind Caddy (``deploy/Caddyfile``), each run in the
foreground on high loopback ports with a self-signed certificate, reached over HTTPS.

Two web processes run, as the guide starts them (``campagne-web@8001`` and ``@8002``, here
on free ports). The files of ``deploy/`` are used as shipped but for what a test must
change, each change a substitution that must find its text: the ports, the certificate, the
log and webroot folders, the web processes' ports.

Tools missing: a skip naming the Debian package, or a failure with
``CAMPAGNE_TEST_REQUIRE_DEPLOY_TOOLS=1`` (as in CI). Nothing is installed, no system service
or privileged port is touched, and every process started here is stopped at the end."""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cli_kit import campagne_command, free_port
from deploy_kit import (
    CERT_DIR,
    DEPLOY,
    ENV_EXAMPLE,
    SERVER_NAME,
    TEST_KEY,
    UNITS,
    VENV,
    env_lines,
    self_signed_certificate,
    tool,
)

from campagne.testing import RegionKit
from campagne.testing_plugin import SCHEMA_PREFIX, configured_postgres_url, fresh_postgres_schema

#: Bounds on starting and stopping a process (start-up work, not a timed assertion).
STARTUP_SECONDS = 300
STOP_SECONDS = 15
REGION = "gers"
REGION_NAME = "Soho Solo Gers"
#: What both proxies let through (``client_max_body_size 6m``, ``max_size 6MiB``).
PROXY_BODY_LIMIT = 6 * 1024 * 1024


def substitute(text: str, old: str, new: str) -> str:
    """``text`` with every ``old`` replaced by ``new``; ``old`` must be there, so that a
    change to a file of deploy/ shows here instead of leaving a line untested."""
    assert old in text, f"{old!r} is no longer in the file: update this test"
    return text.replace(old, new)


# -- processes ------------------------------------------------------------------------------

@dataclass
class Started:
    """A process started by this module, its output in a file."""

    name: str
    process: subprocess.Popen[bytes]
    output: Path

    def log(self) -> str:
        """What the process wrote so far."""
        return self.output.read_text(errors="replace")


def start(name: str, command: list[str], folder: Path,
          env: dict[str, str] | None = None) -> Started:
    """Start ``command`` in a session of its own (nginx's workers with it), output to a file."""
    output = folder / f"{name}.out"
    with output.open("wb") as sink:
        process = subprocess.Popen(command, cwd=folder, env=env, stdin=subprocess.DEVNULL,
                                   stdout=sink, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    return Started(name, process, output)


def stop(started: Started) -> None:
    """Terminate the process, kill its whole group after ``STOP_SECONDS``, and check that
    none of the group is left."""
    process = started.process
    if process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_SECONDS)
    with contextlib.suppress(ProcessLookupError):  # what is left of the group: nginx's workers
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=STOP_SECONDS)


def wait_until(started: Started, ready: Callable[[], bool], what: str) -> None:
    """Poll ``ready()`` until it is true; fail with the process's output when it exits or
    ``STARTUP_SECONDS`` pass."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if started.process.poll() is not None:
            pytest.fail(f"{started.name} exited with {started.process.returncode} before "
                        f"{what}:\n{started.log()}")
        try:
            if ready():
                return
        except (OSError, httpx.TransportError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{started.name}: no {what} in {STARTUP_SECONDS} s:\n{started.log()}")
        time.sleep(0.2)


def accepts(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something listens on ``host:port``."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.settimeout(2)
        return probe.connect_ex((host, port)) == 0


# -- the web process ------------------------------------------------------------------------

def unit_command(port: int) -> list[str]:
    """The ``ExecStart=`` of the web unit, as instance ``port``, with this virtual
    environment in place of /srv/campagne/venv."""
    lines = (UNITS / "campagne-web@.service").read_text().splitlines()
    start_at = next(i for i, line in enumerate(lines) if line.startswith("ExecStart="))
    command = lines[start_at].removeprefix("ExecStart=")
    for line in lines[start_at + 1:]:
        if not command.endswith("\\"):
            break
        command = command[:-1] + line
    command = substitute(command, f"{VENV}/bin/", f"{sys.prefix}/bin/")
    return shlex.split(substitute(command, "%i", str(port)))


@dataclass
class Web:
    """The web processes of the two units, on ``ports``, started with ``env``."""

    folder: Path
    env: dict[str, str]
    ports: tuple[int, int]
    processes: dict[int, Started]

    @property
    def base(self) -> str:
        """The first process, on loopback."""
        return f"http://127.0.0.1:{self.ports[0]}"

    def start(self, port: int) -> None:
        """Start the unit's command on ``port``; return once its ``/readyz`` answers 200."""
        started = start(f"campagne-web@{port}", unit_command(port), self.folder, self.env)
        self.processes[port] = started
        wait_until(started, lambda: httpx.get(f"http://127.0.0.1:{port}/readyz",
                                              timeout=60).status_code == 200, "/readyz")

    def stop(self, port: int) -> None:
        """Stop the process on ``port``; nothing listens there afterwards."""
        stop(self.processes.pop(port))
        assert not accepts(port)


def web_environment(database_url: str, region: Path) -> dict[str, str]:
    """The example settings with what section 4 of the guide changes: the key, the
    database, the region folder; installed plug-in packages are not loaded (the test
    environment's are not the instance's)."""
    settings = env_lines(ENV_EXAMPLE.read_text())
    settings.update({"CAMPAGNE_SECRET_KEY": TEST_KEY, "CAMPAGNE_DATABASE_URL": database_url,
                     "CAMPAGNE_REGION_DIRS": f'["{region}"]',
                     "CAMPAGNE_LOAD_ENTRY_POINTS": "false"})
    assert settings["CAMPAGNE_PRODUCTION"] == "true"
    assert settings["CAMPAGNE_PUBLIC_URL"] == f"https://{SERVER_NAME}"
    assert int(settings["CAMPAGNE_ARGON2_MEMORY_KIB"]) >= 19456  # OWASP's minimums
    outside = {name: value for name, value in os.environ.items()
               if not name.startswith("CAMPAGNE_")}
    return {**outside, **settings}


@pytest.fixture(scope="module")
def web(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[Web]:
    """Sections 5 to 7: a copy of the reference region, ``campagne db upgrade`` on it, then
    the web unit's command, ready when ``/readyz`` answers 200. PostgreSQL when
    ``CAMPAGNE_TEST_POSTGRES_URL`` is set, else SQLite."""
    folder = tmp_path_factory.mktemp("web")
    region = RegionKit(folder / "regions").reference_copy(REGION)
    postgres = configured_postgres_url()
    if postgres:
        schema = f"{SCHEMA_PREFIX}_proxy"
        request.getfixturevalue("_campagne_postgres_schemas").add(schema)
        database_url = fresh_postgres_schema(postgres, schema)
    else:
        database_url = f"sqlite:///{folder / 'campagne.db'}"
    env = web_environment(database_url, region)
    for check in ([], ["--check"]):
        result = subprocess.run([*campagne_command(), "db", "upgrade", *check, str(region)],
                                env=env, cwd=folder, capture_output=True, text=True,
                                timeout=300, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
    web = Web(folder, env, (free_port(), free_port()), {})
    try:
        for port in web.ports:
            web.start(port)
        yield web
    finally:
        for port in list(web.processes):
            web.stop(port)


# -- the proxies ----------------------------------------------------------------------------

@dataclass
class Proxy:
    """A proxy in front of the web process: its ports and certificate."""

    name: str
    https_port: int
    http_port: int
    cert: Path
    started: Started
    folder: Path

    def client(self) -> httpx.Client:
        """A client of ``https://campagne.example.org`` that reaches this proxy on loopback
        (the name is sent in the TLS handshake and in ``Host``), trusting its certificate."""
        context = ssl.create_default_context(cafile=str(self.cert))
        return httpx.Client(base_url=f"https://127.0.0.1:{self.https_port}", verify=context,
                            headers={"Host": SERVER_NAME}, timeout=30)

    def get(self, path: str, **options: object) -> httpx.Response:
        """A GET over HTTPS through the proxy."""
        with self.client() as client:
            return client.get(path, extensions={"sni_hostname": SERVER_NAME},
                              **options)  # type: ignore[arg-type]

    def post(self, path: str, content: bytes) -> httpx.Response:
        """A form POST over HTTPS through the proxy."""
        with self.client() as client:
            return client.post(path, content=content, extensions={"sni_hostname": SERVER_NAME},
                               headers={"Content-Type": "application/x-www-form-urlencoded"})


def loopback_v6() -> bool:
    """Whether this machine has ``::1`` (the files listen on IPv6 too)."""
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


def nginx_files(folder: Path, web: Web, https_port: int, http_port: int,
                cert: Path, key: Path) -> Path:
    """Section 8's two server blocks, included by a main ``nginx.conf`` of the test."""
    v6 = "[::1]" if loopback_v6() else None
    site = (DEPLOY / "nginx" / "campagne.conf").read_text()
    site = substitute(site, "listen 443 ", f"listen 127.0.0.1:{https_port} ")
    site = substitute(site, "listen [::]:443 ",
                      f"listen {v6}:{https_port} " if v6 else "# listen [::]:443 ")
    site = substitute(site, f"{CERT_DIR}/fullchain.pem", str(cert))
    site = substitute(site, f"{CERT_DIR}/privkey.pem", str(key))
    site = substitute(site, "/var/log/nginx/", f"{folder}/")
    for unit_port, port in zip((8001, 8002), web.ports, strict=True):
        site = substitute(site, f"server 127.0.0.1:{unit_port} ", f"server 127.0.0.1:{port} ")
    http = (DEPLOY / "nginx" / "campagne-http.conf").read_text()
    http = substitute(http, "listen 80;", f"listen 127.0.0.1:{http_port};")
    http = substitute(http, "listen [::]:80;", f"listen {v6}:{http_port};" if v6 else "")
    http = substitute(http, "root /var/www/letsencrypt;", f"root {folder}/letsencrypt;")
    (folder / "campagne.conf").write_text(site)
    (folder / "campagne-http.conf").write_text(http)
    temp = "\n".join(f"    {kind}_temp_path {folder}/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # As root, nginx's workers would run as nobody, who cannot enter the test's folder.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    main = folder / "nginx.conf"
    main.write_text(f"{user}error_log {folder}/error.log;\nevents {{}}\n"
                    f"http {{\n    access_log {folder}/access.log;\n{temp}\n"
                    f"    include {folder / 'campagne-http.conf'};\n"
                    f"    include {folder / 'campagne.conf'};\n}}\n")
    return main


def caddy_file(folder: Path, web: Web, https_port: int, http_port: int,
               cert: Path, key: Path) -> Path:
    """The Caddyfile with the test's ports and certificate, and no admin endpoint."""
    text = (DEPLOY / "Caddyfile").read_text()
    text = substitute(text, "{\n\temail ", f"{{\n\tadmin off\n\thttp_port {http_port}\n"
                      f"\thttps_port {https_port}\n\tdefault_bind 127.0.0.1\n\temail ")
    text = substitute(text, f"{SERVER_NAME} {{\n", f"{SERVER_NAME} {{\n\ttls {cert} {key}\n")
    text = substitute(text, "reverse_proxy 127.0.0.1:8001 127.0.0.1:8002 ",
                      "reverse_proxy {} ".format(" ".join(f"127.0.0.1:{port}"
                                                          for port in web.ports)))
    caddyfile = folder / "Caddyfile"
    caddyfile.write_text(text)
    return caddyfile


def run_nginx(folder: Path, web: Web, https_port: int, http_port: int, cert: Path,
              key: Path) -> Started:
    """nginx in the foreground, every file it writes in ``folder``."""
    main = nginx_files(folder, web, https_port, http_port, cert, key)
    (folder / "letsencrypt" / ".well-known" / "acme-challenge").mkdir(parents=True)
    return start("nginx", [tool("nginx", "nginx"), "-p", str(folder), "-e",
                           str(folder / "error.log"), "-c", str(main),
                           "-g", f"daemon off; pid {folder}/nginx.pid;"], folder)


def run_caddy(folder: Path, web: Web, https_port: int, http_port: int, cert: Path,
              key: Path) -> Started:
    """``caddy run`` with its own files (storage, autosave) in ``folder``."""
    caddyfile = caddy_file(folder, web, https_port, http_port, cert, key)
    env = {**os.environ, "HOME": str(folder), "XDG_DATA_HOME": str(folder / "data"),
           "XDG_CONFIG_HOME": str(folder / "config")}
    return start("caddy", [tool("caddy", "caddy"), "run", "--config", str(caddyfile),
                           "--adapter", "caddyfile"], folder, env)


@pytest.fixture(scope="module", params=["nginx", "caddy"])
def proxy(request: pytest.FixtureRequest, web: Web,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    """nginx, then Caddy, in front of the web process, ready when ``/readyz`` answers
    through it."""
    name = request.param
    runner = {"nginx": run_nginx, "caddy": run_caddy}[name]
    tool(name, name)
    folder = tmp_path_factory.mktemp(name)
    cert, key = self_signed_certificate(folder)
    https_port, http_port = free_port(), free_port()
    started = runner(folder, web, https_port, http_port, cert, key)
    proxy = Proxy(name, https_port, http_port, cert, started, folder)
    try:
        wait_until(started, lambda: proxy.get("/readyz").status_code == 200,
                   "/readyz through it")
        yield proxy
    finally:
        stop(started)
    assert not accepts(https_port) and not accepts(http_port)


# -- through the proxy ----------------------------------------------------------------------

def test_the_region_page_over_https(proxy: Proxy) -> None:
    answer = proxy.get(f"/{REGION}/")
    assert answer.status_code == 200, answer.text
    assert REGION_NAME in answer.text
    assert answer.headers["strict-transport-security"].startswith("max-age=")
    assert answer.headers["x-request-id"]


def test_the_request_id_is_the_proxys(proxy: Proxy) -> None:
    """The proxy's own id goes to Campagne and comes back; one a client makes up does not."""
    made_up = "client-made-up-id-0001"
    answer = proxy.get("/readyz", headers={"X-Request-ID": made_up})
    shape = {"nginx": r"[0-9a-f]{32}", "caddy": r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"}
    assert re.fullmatch(shape[proxy.name], answer.headers["x-request-id"]), answer.headers
    assert proxy.get("/readyz").headers["x-request-id"] != answer.headers["x-request-id"]


def test_sign_in_cookies_are_secure(proxy: Proxy) -> None:
    answer = proxy.get("/account/sign-in", params={"lang": "en"})
    assert answer.status_code == 200
    cookies = answer.headers.get_list("set-cookie")
    assert len(cookies) >= 2, cookies  # the form's CSRF cookie and the language chosen
    for cookie in cookies:
        flags = [flag.strip().lower() for flag in cookie.split(";")[1:]]
        assert "secure" in flags and "httponly" in flags, cookie
    assert any(cookie.startswith("__Host-campagne_csrf=") for cookie in cookies), cookies


METRICS_PATHS = ["/metrics", "/metrics/", "/metrics?format=text", "//metrics", "/%6detrics",
                 "/./metrics", "/gers/../metrics"]


@pytest.mark.parametrize("path", METRICS_PATHS)
def test_metrics_are_not_served_through_the_proxy(proxy: Proxy, path: str) -> None:
    """Through the proxy the caller is 127.0.0.1 for Campagne, which CAMPAGNE_METRICS_ALLOW
    lets in: only the proxy keeps /metrics off the public side."""
    with proxy.client() as client:
        request = client.build_request("GET", "/", extensions={"sni_hostname": SERVER_NAME})
        request.url = request.url.copy_with(raw_path=path.encode())
        answer = client.send(request)
    assert answer.status_code != 200, (path, answer.text[:200])
    assert "campagne_" not in answer.text
    if path == "/metrics":
        assert answer.status_code == 404  # what section 8 of the guide shows


def test_metrics_are_served_on_loopback(web: Web) -> None:
    answer = httpx.get(f"{web.base}/metrics", timeout=30)
    assert answer.status_code == 200
    assert "campagne_http_request_duration_seconds" in answer.text


def test_readyz_through_the_proxy(proxy: Proxy) -> None:
    answer = proxy.get("/readyz")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ready"


def served(web: Web, port: int) -> float:
    """How many region pages the process on ``port`` answered, from its ``/metrics``."""
    metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=30).text
    counts = re.findall(r'^campagne_http_request_duration_seconds_count\{[^}]*'
                        r'route="/\{slug\}/"[^}]*\} (\S+)$', metrics, re.MULTILINE)
    return sum(float(count) for count in counts)


def test_requests_are_spread_over_both_processes(proxy: Proxy, web: Web) -> None:
    before = [served(web, port) for port in web.ports]
    for _ in range(4):
        assert proxy.get(f"/{REGION}/").status_code == 200
    after = [served(web, port) for port in web.ports]
    assert sum(after) - sum(before) == 4
    assert all(now > then for now, then in zip(after, before, strict=True)), (before, after)


def test_a_stopped_process_is_left_out(proxy: Proxy, web: Web) -> None:
    """One unit stopped (a crash, a restart, settings it refuses): every request still gets
    its answer from the other, the first ones too (nginx tries the next server; Caddy the
    next upstream), before any health check has noticed."""
    second = web.ports[1]
    web.stop(second)
    try:
        statuses = [proxy.get(f"/{REGION}/").status_code for _ in range(6)]
    finally:
        web.start(second)
    assert statuses == [200] * 6


def test_plain_http_is_sent_to_https(proxy: Proxy) -> None:
    answer = httpx.get(f"http://127.0.0.1:{proxy.http_port}/{REGION}/?lang=en",
                       headers={"Host": SERVER_NAME}, timeout=30)
    assert answer.status_code == {"nginx": 301, "caddy": 308}[proxy.name], answer.text
    # On port 443 in production: the address without a port (Caddy may name its port).
    assert answer.headers["location"] in (
        f"https://{SERVER_NAME}/{REGION}/?lang=en",
        f"https://{SERVER_NAME}:{proxy.https_port}/{REGION}/?lang=en")
    if proxy.name == "nginx":  # Caddy answers Let's Encrypt itself
        # certbot --webroot writes its challenge where campagne-http.conf serves it.
        challenge = proxy.folder / "letsencrypt" / ".well-known" / "acme-challenge" / "t0ken"
        challenge.write_text("t0ken.thumbprint")
        answer = httpx.get(f"http://127.0.0.1:{proxy.http_port}/.well-known/acme-challenge/"
                           "t0ken", headers={"Host": SERVER_NAME}, timeout=30)
        assert answer.status_code == 200 and answer.text == "t0ken.thumbprint"


def test_a_body_over_the_proxys_limit_is_refused(proxy: Proxy) -> None:
    """Above 6 MiB the answer is 413. nginx answers it itself, from the announced length,
    and Campagne never sees the request (no request id comes back); Caddy's ``max_size``
    only caps what is read, so Campagne's own guard, which refuses from the announced
    length too, answers."""
    too_large = proxy.post("/account/sign-in", b"a" * (PROXY_BODY_LIMIT + 1))
    assert too_large.status_code == 413
    if proxy.name == "nginx":
        assert "x-request-id" not in too_large.headers
        assert "nginx" in too_large.text


def test_a_body_under_the_proxys_limit_reaches_campagne(proxy: Proxy) -> None:
    """Between Campagne's limit for a form (1 MiB) and the proxy's, the proxy lets the
    body through and Campagne answers 413 with its own page."""
    answer = proxy.post("/account/sign-in", b"a" * (2 * 1024 * 1024))
    assert answer.status_code == 413
    assert "x-request-id" in answer.headers
    assert "trop volumineuse" in answer.text, answer.text
