"""Production mode (``CAMPAGNE_PRODUCTION=true``) refuses to start on unsafe settings:
no secret key, the documented example key, the demo database, demo data or an account
still waiting for its first password through a demo-made invitation."""

from __future__ import annotations

from sqlalchemy import Engine, inspect
from sqlmodel import Session, col, select

from campagne.auth.secret import InsecureSettings
from campagne.models import Member
from campagne.settings import CampagneSettings

EXAMPLE_KEYS = {"change-me-change-me-change-me-change-me",
                "test-only-key-0123456789abcdefghijklmnopqrstuvwxyz"}
DEMO_DATABASE_FILE = "campagne-demo.db"


def production_problems(settings: CampagneSettings, engine: Engine) -> list[str]:
    """Why this instance must not run in production (empty outside production mode)."""
    if not settings.production:
        return []
    problems = []
    if not settings.secret_key or settings.secret_key in EXAMPLE_KEYS:
        problems.append("CAMPAGNE_SECRET_KEY must be set to a private random value")
    if DEMO_DATABASE_FILE in settings.database_url:
        problems.append("the demo database cannot be used in production")
    if inspect(engine).has_table("member"):
        with Session(engine) as session:
            if session.exec(select(Member.id).where(col(Member.synthetic).is_(True))).first():
                problems.append("the database holds generated demo members")
    return problems


def check_production(settings: CampagneSettings, engine: Engine) -> None:
    """Raise :class:`InsecureSettings` listing every problem, if any."""
    problems = production_problems(settings, engine)
    if problems:
        raise InsecureSettings("; ".join(problems))
