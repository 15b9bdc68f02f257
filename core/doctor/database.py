"""The database answers within a few seconds, and its schema is this release's (engine and
plug-ins), as ``campagne db upgrade --check`` says."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from campagne.db import make_engine, normalise_url
from campagne.doctor.finding import Deployment, Finding, fail, ok
from campagne.schema_state import schema_state

CHECK = "database"
SCHEMA = "schema"
#: Seconds to wait for PostgreSQL to answer a connection.
CONNECT_TIMEOUT = 5


def safe_url(url: str) -> str:
    """``url`` with its password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        return "(an unreadable URL)"


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (``None`` for another database or an in-memory one)."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def connect(deployment: Deployment) -> tuple[Finding, Engine | None]:
    """Open the database and ask it ``SELECT 1``; the finding, and the engine if it
    answered."""
    url = deployment.settings.database_url
    shown = safe_url(url)
    try:
        file = sqlite_file(url)
        if file is not None and not file.exists():
            return fail(CHECK, f"the SQLite database {file} does not exist",
                        "check CAMPAGNE_DATABASE_URL (or --db), or create it with "
                        "campagne db upgrade REGION_DIR..."), None
        engine = _engine(url)
    except (SQLAlchemyError, ValueError, ImportError) as exc:
        return fail(CHECK, f"CAMPAGNE_DATABASE_URL cannot be read ({type(exc).__name__})",
                    "set it to sqlite:///FILE or postgresql://USER@HOST/DATABASE"), None
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        engine.dispose()
        return fail(CHECK, f"the database {shown} does not answer: {_first_line(exc)}",
                    "check that the server runs and accepts this host, and the URL's "
                    "host, port, user and password"), None
    return ok(CHECK, f"the database {shown} answers"), engine


def check_schema(deployment: Deployment) -> list[Finding]:
    """Whether migrations are pending (or the schema is a newer release's)."""
    if deployment.engine is None:
        return []
    plugins = deployment.instance.plugins if deployment.instance else None
    state = schema_state(deployment.engine, plugins)
    if state.is_current:
        return [ok(SCHEMA, state.describe())]
    if not state.known:
        return [fail(SCHEMA, state.describe(),
                     "run the release that migrated it, or restore a backup made for this "
                     "one (campagne restore FILE)")]
    folders = " ".join(str(path) for path in deployment.region_dirs) or "REGION_DIR..."
    return [fail(SCHEMA, state.describe().partition("; run")[0],
                 f"run campagne db upgrade {folders} (after a backup: campagne backup FILE)")]


def _engine(url: str) -> Engine:
    if sqlite_file(url) is not None or make_url(normalise_url(url)).get_backend_name() \
            == "sqlite":
        return make_engine(url)
    return create_engine(normalise_url(url), poolclass=NullPool,
                         connect_args={"connect_timeout": CONNECT_TIMEOUT})


def _first_line(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None) or exc
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(original).__name__
