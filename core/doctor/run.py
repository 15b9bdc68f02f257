"""The checks in order, each contained: a check that breaks is one FAIL line, never a
traceback, and the others still run."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from campagne.doctor.backups import check_backups
from campagne.doctor.database import check_schema, connect
from campagne.doctor.disk import check_disk
from campagne.doctor.finding import Deployment, Finding, fail
from campagne.doctor.jobs import check_jobs
from campagne.doctor.outbox import check_outbox
from campagne.doctor.production import check_production_mode
from campagne.doctor.public_url import check_proxy, check_public_url
from campagne.doctor.regions import check_regions
from campagne.doctor.secret import check_hashing, check_secret_key
from campagne.doctor.smtp import check_smtp
from campagne.instance import Instance
from campagne.plugin_manager import CampagnePluginManager
from campagne.regions import RegionFolder

log = logging.getLogger(__name__)
Check = Callable[[Deployment], list[Finding]]
#: The checks that follow the region folders and the database, in the report's order.
CHECKS: tuple[tuple[str, Check], ...] = (
    ("schema", check_schema), ("secret key", check_secret_key),
    ("password hashing", check_hashing), ("production", check_production_mode),
    ("public url", check_public_url), ("proxy", check_proxy), ("smtp", check_smtp),
    ("outbox", check_outbox), ("jobs", check_jobs), ("disk", check_disk),
    ("backup", check_backups))


def diagnose(deployment: Deployment) -> list[Finding]:
    """Every finding about ``deployment``, secrets masked."""
    findings: list[Finding] = []
    folders: list[RegionFolder] = []
    manager: CampagnePluginManager | None = None
    try:
        found, folders, manager = check_regions(deployment)
        findings += found
    except Exception as exc:  # noqa: BLE001 - reported as a line, not a traceback
        findings.append(_broken("regions", exc))
    try:
        finding, deployment.engine = connect(deployment)
        findings.append(finding)
        if deployment.engine is not None and manager is not None:
            manager.engine = deployment.engine  # what the plug-ins' stores open
            deployment.instance = Instance(
                settings=deployment.settings, regions={f.slug: f for f in folders},
                plugins=manager, engine=deployment.engine)
        for name, check in CHECKS:
            try:
                findings += check(deployment)
            except Exception as exc:  # noqa: BLE001 - reported as a line, not a traceback
                findings.append(_broken(name, exc))
    finally:
        if deployment.engine is not None:
            deployment.engine.dispose()
    return masked(findings, secrets_of(deployment))


def _broken(name: str, exc: Exception) -> Finding:
    log.debug("the %s check failed", name, exc_info=exc)
    lines = str(exc).strip().splitlines()
    return fail(name, f"the check could not run: {type(exc).__name__}"
                      f"{': ' + lines[0] if lines else ''}",
                "correct what the message names; run with CAMPAGNE_LOG_LEVEL=DEBUG for "
                "the details")


def secrets_of(deployment: Deployment) -> list[str]:
    """The settings' secrets, which no line may show."""
    settings = deployment.settings
    secrets = [settings.secret_key, settings.smtp_password, settings.metrics_token]
    with suppress(SQLAlchemyError):
        secrets.append(make_url(settings.database_url).password)
    return [str(secret) for secret in secrets if secret and len(str(secret)) >= 4]


def masked(findings: list[Finding], secrets: list[str]) -> list[Finding]:
    """``findings`` with every secret replaced by ``***``."""
    def hide(text: str) -> str:
        for secret in secrets:
            text = text.replace(secret, "***")
        return text

    return [replace(finding, message=hide(finding.message), fix=hide(finding.fix))
            for finding in findings]
