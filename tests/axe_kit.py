"""axe-core in headless Chromium, for the accessibility tests of the instance and the hub:
where the script is, the rules measured, and a page's violations described for a failure."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from campagne.testing_plugin import browser_required

AXE = Path(os.environ.get("CAMPAGNE_TEST_AXE")
           or Path(__file__).resolve().parent.parent / "node_modules/axe-core/axe.min.js")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def axe_script() -> Path:
    """axe-core's script; skips without it, fails when the browser tests are required."""
    if not AXE.is_file():
        message = (f"no axe-core at {AXE} (run `npm ci` at the repository's root, "
                   "or set CAMPAGNE_TEST_AXE to axe.min.js)")
        if browser_required():
            pytest.fail(f"CAMPAGNE_TEST_REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    return AXE


def describe(violations: list[dict[str, Any]]) -> str:
    """Each violation's rule, impact, help and first targets, one paragraph each."""
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}\n"
                     f"    {violation['helpUrl']}\n    on: {'; '.join(targets[:8])}")
    return "\n".join(lines)


def violations(page: Any, script: str) -> list[dict[str, Any]]:
    """axe-core's violations on the page open in ``page``, run as the browser's own code
    (the page's Content-Security-Policy stays in force)."""
    page.evaluate(script)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
                           " resultTypes: ['violations']})", AXE_TAGS)
    found: list[dict[str, Any]] = result["violations"]
    return found
