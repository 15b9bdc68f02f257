"""``CAMPAGNE_PUBLIC_URL``: set, and https:// in production (which declares a TLS proxy:
every request is then treated as HTTPS, cookies are Secure and HSTS is sent); with
``--url``, ``/healthz`` fetched through the proxy, its answer read, and plain HTTP checked
to redirect to HTTPS."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import httpx

from campagne.auth.production import tls_declared
from campagne.doctor.finding import Deployment, Finding, fail, ok, warn
from campagne.settings import CampagneSettings

CHECK = "public url"
FETCH = "proxy"
TIMEOUT = 10
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
HTTPS_FIX = ("serve the instance behind a TLS-terminating proxy (docs/deployment.md) and set "
             "CAMPAGNE_PUBLIC_URL=https://HOST")


def check_public_url(deployment: Deployment) -> list[Finding]:
    """The setting itself: an address, https:// in production, not this machine's."""
    settings = deployment.settings
    url = settings.public_url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [fail(CHECK, f"CAMPAGNE_PUBLIC_URL ({url}) is not an http(s) address",
                     "set it to the address people use, such as https://campagne.example.org")]
    if url == CampagneSettings.model_fields["public_url"].default:
        finding = fail if settings.production else warn
        return [finding(CHECK, f"CAMPAGNE_PUBLIC_URL is not set: e-mailed links lead to {url}",
                        HTTPS_FIX)]
    if settings.production and parts.scheme != "https":
        return [fail(CHECK, f"CAMPAGNE_PUBLIC_URL ({url}) is plain HTTP in production mode",
                     HTTPS_FIX)]
    if settings.production and parts.hostname in LOOPBACK:
        return [fail(CHECK, f"CAMPAGNE_PUBLIC_URL ({url}) names this machine: e-mailed "
                            "links do not work elsewhere", "set it to the public address")]
    if parts.scheme != "https":
        return [warn(CHECK, f"CAMPAGNE_PUBLIC_URL ({url}) is plain HTTP: passwords and "
                            "cookies travel in clear", HTTPS_FIX)]
    return [ok(CHECK, f"CAMPAGNE_PUBLIC_URL is {url}: a TLS proxy is declared (Secure "
                      "cookies, HSTS)")]


def check_proxy(deployment: Deployment) -> list[Finding]:
    """With ``--url``: ``/healthz`` through the proxy, and what the answer says about the
    web workers' settings."""
    if deployment.fetch_url is None:
        return []
    base = (deployment.fetch_url or deployment.settings.public_url).rstrip("/")
    target = f"{base}/healthz"
    try:
        answer = httpx.get(target, timeout=TIMEOUT, follow_redirects=False)
    except httpx.HTTPError as exc:
        return [fail(FETCH, f"cannot fetch {target}: {exc or type(exc).__name__}",
                     "check the address, the DNS name, that the proxy runs and forwards to "
                     "the web workers, and its certificate")]
    findings = _health(target, answer)
    findings += _tls_agrees(deployment.settings, target, answer)
    if urlsplit(target).scheme == "https":
        findings += _plain_http_redirects(target)
    return findings


def _health(target: str, answer: httpx.Response) -> list[Finding]:
    if answer.is_redirect:
        return [fail(FETCH, f"{target} redirects to {answer.headers.get('location')}",
                     "make the proxy pass /healthz to the web workers")]
    try:
        status = answer.json().get("status")
    except (ValueError, AttributeError):
        status = None
    if answer.status_code == 503:
        return [fail(FETCH, f"{target} answers 503: the web workers do not reach the database",
                     "check CAMPAGNE_DATABASE_URL in the web workers' environment")]
    if answer.status_code != 200 or status != "ok":
        return [fail(FETCH, f"{target} answers {answer.status_code}, not Campagne's health "
                            "check", "check that the proxy forwards to the web workers' port")]
    return [ok(FETCH, f"{target} answers: the instance is up")]


def _tls_agrees(settings: CampagneSettings, target: str, answer: httpx.Response
                ) -> list[Finding]:
    hsts = "strict-transport-security" in answer.headers
    fix = ("give the web workers and this command the same environment file (the same "
           "CAMPAGNE_PUBLIC_URL)")
    if tls_declared(settings) and not hsts:
        return [warn(FETCH, f"{target} sends no HSTS: the web workers do not declare the TLS "
                            "proxy (their CAMPAGNE_PUBLIC_URL is not https://), or the proxy "
                            "removes the header", fix)]
    if not tls_declared(settings) and urlsplit(target).scheme == "https":
        return [warn(FETCH, f"{target} is served over HTTPS but CAMPAGNE_PUBLIC_URL is not "
                            "https://: cookies are not marked Secure",
                     "set CAMPAGNE_PUBLIC_URL to the https:// address, for the web workers "
                     "too")]
    return []


def _plain_http_redirects(target: str) -> list[Finding]:
    parts = urlsplit(target)
    plain = urlunsplit(("http", parts.hostname or "", parts.path, "", ""))
    try:
        answer = httpx.get(plain, timeout=TIMEOUT, follow_redirects=False)
    except httpx.HTTPError:
        return []  # nothing listens for plain HTTP: nothing goes in clear
    location = answer.headers.get("location", "")
    if answer.is_redirect and location.startswith("https://"):
        return []
    return [warn(FETCH, f"{plain} answers {answer.status_code} without redirecting to HTTPS",
                 "make the proxy redirect plain HTTP to https:// (nginx: return 301 "
                 "https://$host$request_uri; Caddy does it by itself)")]
