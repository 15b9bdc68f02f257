"""Production mode (``CAMPAGNE_PRODUCTION=true``) refuses to start on unsafe settings: no
secret key, a weak or example one, Argon2 below OWASP's minimums, plain HTTP without a
declared TLS-terminating proxy, the demo database, demo data. Each refusal names the
setting to change."""

from __future__ import annotations

import math
from collections import Counter
from itertools import pairwise
from urllib.parse import urlsplit

from sqlalchemy import Engine, inspect
from sqlmodel import Session, col, select

from campagne.auth.secret import InsecureSettings
from campagne.models import Member
from campagne.settings import CampagneSettings

EXAMPLE_KEYS = {"change-me-change-me-change-me-change-me",
                "test-only-key-0123456789abcdefghijklmnopqrstuvwxyz"}
DEMO_DATABASE_FILE = "campagne-demo.db"
KEY_MIN_BYTES = 32
#: Estimated from the key's own characters; 32 random hexadecimal digits give about 115.
KEY_MIN_BITS = 96
#: Argon2id (memory in KiB, passes) pairs that OWASP's password storage cheat sheet gives
#: as equivalent minimums; a configuration must reach one of them.
ARGON2_MINIMUMS = ((47104, 1), (19456, 2), (12288, 3), (9216, 4), (7168, 5))
GENERATE_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


def tls_declared(settings: CampagneSettings) -> bool:
    """True when ``CAMPAGNE_PUBLIC_URL`` is https://: a TLS-terminating proxy serves the
    instance, so every request is treated as HTTPS (Secure cookies, HSTS)."""
    return urlsplit(settings.public_url).scheme == "https"


def key_problem(key: str) -> str | None:
    """Why ``key`` is too weak to key the credentials' digests, or ``None``."""
    if key in EXAMPLE_KEYS:
        return "is the documented example"
    if len(key.encode()) < KEY_MIN_BYTES:
        return f"is shorter than {KEY_MIN_BYTES} bytes"
    counts = Counter(key)
    bits = -sum(n * math.log2(n / len(key)) for n in counts.values())
    if bits < KEY_MIN_BITS:
        return f"has too little variety ({len(counts)} different characters)"
    if any(key == (key[:size] * len(key))[:len(key)] for size in range(1, len(key) // 2 + 1)):
        return "repeats a pattern"
    steps = sum(abs(ord(a) - ord(b)) == 1 for a, b in pairwise(key))
    if steps * 2 >= len(key):
        return "follows a sequence"
    return None


def argon2_problem(settings: CampagneSettings) -> str | None:
    """Why the Argon2id parameters are below OWASP's minimums, or ``None``."""
    memory, passes = settings.argon2_memory_kib, settings.argon2_time_cost
    if any(memory >= m and passes >= t for m, t in ARGON2_MINIMUMS):
        return None
    options = ", ".join(f"{m} with {t}" for m, t in ARGON2_MINIMUMS)
    return (f"CAMPAGNE_ARGON2_MEMORY_KIB={memory} with CAMPAGNE_ARGON2_TIME_COST={passes} "
            f"is below OWASP's minimum for Argon2id (KiB with passes: {options})")


def production_problems(settings: CampagneSettings, engine: Engine) -> list[str]:
    """Why this instance must not run in production (empty outside production mode)."""
    if not settings.production:
        return []
    problems = []
    weak = key_problem(settings.secret_key) if settings.secret_key else "is not set"
    if weak:
        problems.append(f"CAMPAGNE_SECRET_KEY {weak}: set it to a private random value, "
                        f"such as the output of {GENERATE_KEY}")
    argon2 = argon2_problem(settings)
    if argon2:
        problems.append(argon2)
    if not tls_declared(settings):
        problems.append("CAMPAGNE_PUBLIC_URL must start with https:// (serve the instance "
                        "behind a TLS-terminating proxy; cookies are then Secure and HSTS "
                        "is sent)")
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
        raise InsecureSettings("in production mode, " + "; ".join(problems))
