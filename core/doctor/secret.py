"""The secret key: set in production, strong enough (the rules production mode applies),
and, when kept in a file, readable by its owner only; and Argon2id at or above OWASP's
minimums."""

from __future__ import annotations

import stat
from pathlib import Path

from campagne.auth.production import GENERATE_KEY, argon2_problem, key_problem
from campagne.auth.secret import MIN_LENGTH
from campagne.doctor.finding import Deployment, Finding, fail, ok, warn

CHECK = "secret key"
HASHING = "password hashing"


def check_secret_key(deployment: Deployment) -> list[Finding]:
    """The key's presence and strength, and the key file's mode."""
    settings = deployment.settings
    if settings.secret_key:
        weak = key_problem(settings.secret_key)
        if weak:
            return [fail(CHECK, f"CAMPAGNE_SECRET_KEY {weak}",
                         f"set it to a private random value, such as the output of "
                         f"{GENERATE_KEY}")]
        return [ok(CHECK, "CAMPAGNE_SECRET_KEY is set and strong enough")]
    if settings.production:
        return [fail(CHECK, "CAMPAGNE_SECRET_KEY is not set (production mode requires it)",
                     f"set it to the output of {GENERATE_KEY}")]
    return _key_file(Path(settings.secret_key_file))


def _key_file(path: Path) -> list[Finding]:
    if not path.exists():
        return [warn(CHECK, f"no key file yet at {path.absolute()}: the first start makes "
                            "one, so a backup made before then holds no key",
                     "start the instance once, or set CAMPAGNE_SECRET_KEY")]
    findings = []
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        findings.append(fail(CHECK, f"the key file {path} can be read by others "
                                    f"(mode {mode:04o})", f"run chmod 600 {path}"))
    key = path.read_text(encoding="ascii", errors="replace").strip()
    weak = "is incomplete" if len(key) < MIN_LENGTH else key_problem(key)
    if weak:
        findings.append(fail(CHECK, f"the key in {path} {weak}",
                             "stop the instance, delete the file (a new key is made at the "
                             "next start; sessions and e-mailed links end) or set "
                             "CAMPAGNE_SECRET_KEY"))
    return findings or [ok(CHECK, f"the key file {path} is private and strong enough")]


def check_hashing(deployment: Deployment) -> list[Finding]:
    """Argon2id's parameters against OWASP's minimums (FAIL in production, else WARN)."""
    problem = argon2_problem(deployment.settings)
    if problem is None:
        return [ok(HASHING, "Argon2id parameters reach OWASP's minimums")]
    fix = ("raise CAMPAGNE_ARGON2_MEMORY_KIB or CAMPAGNE_ARGON2_TIME_COST (the defaults, "
           "65536 KiB with 3 passes, pass)")
    if deployment.settings.production:
        return [fail(HASHING, problem, fix)]
    return [warn(HASHING, problem, fix)]
