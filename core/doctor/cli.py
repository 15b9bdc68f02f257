"""``campagne doctor [REGION_DIR...]``: check a deployment, print one line per finding
(or JSON with ``--json``), exit 0 when every line is OK and 1 otherwise."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from pydantic import ValidationError

from campagne.doctor.finding import Deployment, Finding, Status, fail
from campagne.doctor.run import diagnose
from campagne.models import utc_now
from campagne.settings import settings_for


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``doctor`` to the command-line grammar."""
    doctor = commands.add_parser(
        "doctor", help="check a deployment: say what is wrong and how to fix it (exit 0 "
                       "when all is well, 1 otherwise)")
    doctor.add_argument("region_dirs", nargs="*", type=Path, metavar="REGION_DIR",
                        help="the region folders served (else CAMPAGNE_REGION_DIRS)")
    doctor.add_argument("--db", default=None, help="database URL (else CAMPAGNE_DATABASE_URL)")
    doctor.add_argument("--json", action="store_true",
                        help="write the findings as JSON (for monitoring)")
    doctor.add_argument("--url", nargs="?", const="", default=None, metavar="URL",
                        help="fetch URL/healthz (CAMPAGNE_PUBLIC_URL when no URL is given) "
                             "through the proxy and check its answer")
    doctor.add_argument("--backups", type=Path, default=None, metavar="DIR",
                        help="where campagne backup writes (else CAMPAGNE_BACKUP_DIR)")


def run(args: argparse.Namespace, now: dt.datetime | None = None) -> int:
    """Check, print the findings, return 0 when every one is OK, else 1."""
    findings = examine(args, now or utc_now())
    if args.json:
        print(json.dumps({"ok": healthy(findings),
                          "findings": [finding.as_dict() for finding in findings]}, indent=2))
    else:
        for finding in findings:
            print(line(finding))
        bad = sum(finding.status is not Status.OK for finding in findings)
        print("All is well." if not bad else f"{bad} problem(s) found.")
    return 0 if healthy(findings) else 1


def examine(args: argparse.Namespace, now: dt.datetime) -> list[Finding]:
    """The findings for the command line's deployment at ``now``."""
    try:
        settings = settings_for(args.db)
    except ValidationError as exc:
        return [fail("settings", f"CAMPAGNE_{'_'.join(map(str, error['loc'])).upper()}: "
                                 f"{error['msg']}", "correct this setting")
                for error in exc.errors()]
    backups = args.backups or (Path(settings.backup_dir) if settings.backup_dir else None)
    deployment = Deployment(
        settings=settings, now=now, fetch_url=args.url, backup_dir=backups,
        region_dirs=list(args.region_dirs) or [Path(p) for p in settings.region_dirs])
    return diagnose(deployment)


def healthy(findings: list[Finding]) -> bool:
    """Whether every finding is OK."""
    return all(finding.status is Status.OK for finding in findings)


def line(finding: Finding) -> str:
    """A finding as one printed line (its fix after an arrow)."""
    fix = f"\n       -> {finding.fix}" if finding.fix else ""
    return f"{finding.status.value:<4}  {finding.check}: {finding.message}{fix}"
