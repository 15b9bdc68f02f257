"""Lighthouse's four scores, for a phone, on the main public pages of the demo.

Starts ``campagne demo`` on a free loopback port (SQLite, in a temporary folder), runs
Lighthouse (from ``node_modules``: ``npm ci`` at the repository's root installs it) against
each page with headless Chromium, prints the performance, accessibility, best-practices
and SEO scores, and keeps the JSON reports in ``lighthouse-reports/`` (not committed).

    python scripts/lighthouse.py [--out FOLDER] [--chromium PATH] [PATH ...]

Run by hand, not in CI: the performance score moves with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from fuzz_api import demo_server

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
PAGES = ["/", "/gers/", "/simulateur", "/gers/candidater"]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def measure(url: str, report: Path, chromium: str) -> dict[str, int]:
    """Run Lighthouse on ``url`` as a phone; write its JSON ``report``; return the scores."""
    command = [str(LIGHTHOUSE), url, "--form-factor=mobile", "--output=json",
               f"--output-path={report}", "--quiet", "--locale=fr",
               f"--only-categories={','.join(CATEGORIES)}",
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": chromium})
    found = json.loads(report.read_text(encoding="utf-8"))["categories"]
    return {name: round(100 * (found[name]["score"] or 0)) for name in CATEGORIES}


def below(report: Path, threshold: float = 0.95) -> list[str]:
    """The audits that cost points in ``report`` (score under 1, weighted), by category."""
    data = json.loads(report.read_text(encoding="utf-8"))
    lines = []
    for name in CATEGORIES:
        for ref in data["categories"][name]["auditRefs"]:
            audit = data["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < threshold:
                lines.append(f"  {name}: {ref['id']} ({audit['score']:.2f}) {audit['title']}")
    return lines


def main() -> int:
    """Measure each page; print the table and what costs points; 1 when a score is < 95."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=PAGES)
    parser.add_argument("--out", type=Path, default=ROOT / "lighthouse-reports")
    parser.add_argument("--chromium", default=os.environ.get("CAMPAGNE_CHROMIUM",
                                                             "/usr/bin/chromium"))
    args = parser.parse_args()
    if not LIGHTHOUSE.is_file():
        raise SystemExit(f"no {LIGHTHOUSE}: run `npm ci` at the repository's root first")
    args.out.mkdir(parents=True, exist_ok=True)
    rows, notes = [], []
    with tempfile.TemporaryDirectory(prefix="campagne-lighthouse-") as name:
        folder = Path(name)
        with demo_server(f"sqlite:///{folder / 'demo.db'}", folder) as base:
            for path in args.paths:  # a server in use has its caches warm: so is this one
                with urllib.request.urlopen(base + path, timeout=120) as answer:
                    answer.read()
            for path in args.paths:
                report = args.out / (path.strip("/").replace("/", "_") or "index")
                report = report.with_suffix(".json")
                scores = measure(base + path, report, args.chromium)
                rows.append((path, scores))
                notes += [f"{path}:", *below(report)] if min(scores.values()) < 100 else []
    width = max(len(path) for path, _ in rows)
    print(f"{'page':<{width}}  " + "  ".join(f"{name:>14}" for name in CATEGORIES))
    for path, scores in rows:
        print(f"{path:<{width}}  " + "  ".join(f"{scores[n]:>14}" for n in CATEGORIES))
    print("\n".join(notes))
    print(f"reports in {args.out}")
    return 1 if any(min(scores.values()) < 95 for _, scores in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
