"""Settings read from the environment (``CAMPAGNE_*``), one class for the whole instance."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from campagne.jobs.schedule import check_schedule

DEFAULT_DATABASE_URL = "sqlite:///campagne.db"


class CampagneSettings(BaseSettings):
    """Instance settings; every one may be set as ``CAMPAGNE_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="CAMPAGNE_", extra="ignore")

    database_url: str = Field(default=DEFAULT_DATABASE_URL,
                              description="SQLAlchemy URL: sqlite:///file.db or postgresql://...")
    region_dirs: list[str] = Field(default_factory=list,
                                   description="Region folders served (JSON list)")
    load_entry_points: bool = Field(default=True,
                                    description="Load plug-ins of installed packages")
    default_locale: str = Field(default="fr", pattern="^(fr|en)$")
    log_level: str = "INFO"
    # Accounts and sign-in (see docs/security.md)
    production: bool = Field(default=False,
                             description="Refuse insecure settings and demo data at start-up")
    secret_key: str | None = Field(default=None, min_length=32,
                                   description="Key for credential digests (generated if unset)")
    secret_key_file: str = Field(default="campagne-secret.key",
                                 description="Where a generated key is kept outside production")
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)
    session_idle_minutes: int = Field(default=30, ge=1, description="Inactivity timeout")
    session_max_hours: int = Field(default=12, ge=1, description="Absolute session lifetime")
    api_token_hours: int = Field(default=8, ge=1, description="Lifetime of an API token")
    link_hours: int = Field(default=48, ge=1, description="Lifetime of reset/invitation links")
    login_max_failures: int = Field(
        default=5, ge=1, description="Sign-in failures allowed per (account, address) pair")
    login_window_minutes: int = Field(default=15, ge=1,
                                      description="Quiet time that clears sign-in counters")
    login_address_max_failures: int = Field(
        default=20, ge=1, description="Sign-in failures allowed per address, all accounts")
    login_account_slowdown_after: int = Field(
        default=20, ge=1, description="Failures per account before each attempt waits longer")
    login_concurrent_hashes: int = Field(
        default=4, ge=1, description="Password hashes run at once by one process (memory)")
    login_hash_wait_seconds: float = Field(
        default=1.0, ge=0, le=30, description="How long a sign-in waits for a hashing slot")
    public_url: str = Field(default="http://127.0.0.1:8000",
                            description="Address used in e-mailed links; https:// declares "
                                        "a TLS-terminating proxy (Secure cookies, HSTS)")
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_sender: str = "campagne@localhost"
    # The mail outbox and campagne worker (see docs/operations.md)
    outbox_interval_seconds: float = Field(
        default=5.0, gt=0, le=3600, description="Pause of campagne worker between rounds")
    outbox_batch: int = Field(default=50, ge=1, description="E-mails one round sends at most")
    outbox_max_attempts: int = Field(
        default=8, ge=1, description="Attempts before an e-mail is marked failed")
    outbox_lease_seconds: int = Field(
        default=300, ge=30, description="After this, an e-mail left 'sending' is taken again")
    outbox_retry_seconds: int = Field(
        default=60, ge=1, description="Wait after a first failure; doubled at each one")
    outbox_retry_max_seconds: int = Field(
        default=3600, ge=1, description="Longest wait between two attempts")
    outbox_keep_days: int = Field(
        default=30, ge=1, description="Days sent and failed e-mails are kept (campagne purge)")
    log_format: Literal["json", "text"] | None = Field(
        default=None, description="Log lines as JSON objects or text (JSON in production)")
    newsletter_rate_per_minute: int = Field(
        default=60, ge=1, description="Newsletter e-mails all workers together send per minute "
                                      "at most (other e-mails are not held back)")
    metrics_allow: list[str] = Field(
        default_factory=lambda: ["127.0.0.1/32", "::1/128"],
        description="Networks whose callers may read /metrics (JSON list of CIDR blocks)")
    metrics_token: str | None = Field(
        default=None, min_length=16,
        description="When set, /metrics also needs 'Authorization: Bearer <token>'")
    opentelemetry: bool = Field(
        default=False, description="Let FastAPI's own OpenTelemetry instrumentation report to "
                                   "the providers the process configures")
    backup_dir: str | None = Field(
        default=None, description="Where campagne backup writes its archives: campagne "
                                  "doctor checks the age of the newest")
    job_schedules: dict[str, str] = Field(
        default_factory=dict,
        description="Scheduled jobs' cron schedules (Paris time) or 'off', by full name, e.g. "
                    "{\"campagne.platform.purge\": \"30 2 * * *\"}")
    retention: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        description="Per-region retention overrides in days, e.g. {\"gers\": {\"prospect\": 730}}")
    # Open statistics (see docs/statistics.md)
    stats_threshold: int = Field(
        default=11, ge=2, description="Fewest people a published count may concern (INSEE: 11)")
    stats_licence_name: str = "Licence Ouverte / Open Licence 2.0"
    stats_licence_url: str = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    # Public inquiry form (see docs/operations.md)
    inquiry_rate_limit: int = Field(
        default=5, ge=1,
        description="Inquiries accepted per (client address, e-mail address) pair per window")
    inquiry_address_limit: int = Field(
        default=60, ge=1,
        description="Inquiries accepted per client address per window, whatever the e-mail "
                    "addresses (a flood's ceiling; a shared connection serves many people)")
    inquiry_rate_window_minutes: int = Field(default=60, ge=1)
    # Spreadsheet imports (see docs/operations.md)
    sheet_max_rows: int = Field(
        default=50_000, ge=1, description="Most data rows an imported spreadsheet may hold "
                                          "(the import page and the command line)")
    sheet_max_unpacked_mb: int = Field(
        default=50, ge=1, description="Most data an XLSX workbook may unpack into (MiB)")
    sheet_max_compression_ratio: int = Field(
        default=100, ge=2,
        description="Most a part of an XLSX workbook may grow when unpacked (times)")
    # Request bodies, refused with 413 beyond (see docs/security.md)
    max_body_bytes: int = Field(default=1_048_576, ge=16_384,
                                description="Largest request body accepted, in bytes")
    max_upload_bytes: int = Field(
        default=5 * 1_048_576, ge=16_384,
        description="Largest spreadsheet imported (the import page and the command line), "
                    "in bytes")
    # Desk bookings in offices and coworking spaces (see docs/operations.md)
    booking_horizon_days: int = Field(
        default=90, ge=1, le=730, description="How many days ahead a desk may be booked")

    @field_validator("metrics_allow")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        """Refuse what is not a network, naming it."""
        for network in value:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError(f"{network!r} is not a network (e.g. 10.0.0.0/8)") from None
        return value

    @field_validator("job_schedules")
    @classmethod
    def _schedules_are_cron(cls, value: dict[str, str]) -> dict[str, str]:
        """Refuse a schedule croniter cannot read, naming the job."""
        for name, schedule in value.items():
            try:
                check_schedule(schedule)
            except ValueError as exc:
                raise ValueError(f"job {name}: {exc}") from None
        return value


#: The database of ``campagne demo``, which the maintenance commands use when no other is set.
DEMO_FILE = "campagne-demo.db"


def settings_for(database_url: str | None) -> CampagneSettings:
    """Settings with the database chosen by ``--db``, the environment or the demo file."""
    settings = CampagneSettings()
    if database_url is None and "CAMPAGNE_DATABASE_URL" not in os.environ \
            and Path(DEMO_FILE).exists():
        database_url = f"sqlite:///{DEMO_FILE}"
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings
