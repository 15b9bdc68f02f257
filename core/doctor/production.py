"""Production mode: what ``campagne serve`` would refuse at start-up, in one line."""

from __future__ import annotations

from campagne.auth.production import production_problems
from campagne.doctor.finding import Deployment, Finding, fail, ok, warn

CHECK = "production"


def check_production_mode(deployment: Deployment) -> list[Finding]:
    """Every problem production mode refuses; a warning outside production mode."""
    settings = deployment.settings
    if not settings.production:
        return [warn(CHECK, "production mode is off: unsafe settings and demo data are not "
                            "refused at start-up", "set CAMPAGNE_PRODUCTION=true on a real "
                                                   "instance")]
    if deployment.engine is None:
        return []
    problems = production_problems(settings, deployment.engine)
    if problems:
        return [fail(CHECK, "campagne serve would refuse to start: " + "; ".join(problems),
                     "change the settings named (the lines above say how)")]
    return [ok(CHECK, "production mode is on and campagne serve would start")]
