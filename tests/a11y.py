"""Accessibility check of the browser tests: axe-core (npm, cached outside the checkout by
scripts/test in ``$CHAIR_NODE_MODULES``) injected into a Playwright page.

axe is evaluated through Playwright (the DevTools protocol) rather than added as a ``<script>``
tag: the hub's Content-Security-Policy forbids inline scripts, so ``page.add_script_tag`` is
blocked (and reported as a CSP violation) while an evaluation is not subject to the page's policy.

:func:`axe_violations` runs axe over the page and returns the violations of the impacts that fail
a test (serious and critical); :func:`assert_accessible` fails the test with one line per violation
and the first nodes concerned. Minor and moderate findings are left to review, as CORE and BASE do.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

NODE_MODULES = Path(os.environ.get("CHAIR_NODE_MODULES", "/var/cache/chair-services/npm/node_modules"))
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
FAILING_IMPACTS = frozenset({"serious", "critical"})


def axe_violations(page: Any, impacts: frozenset[str] = FAILING_IMPACTS) -> list[dict[str, Any]]:
    """The axe-core violations of the page's current document whose impact is in ``impacts``."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}: run scripts/test (npm install axe-core)")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text("utf-8"))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in impacts]


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation: its rule, impact, help text and up to three of its nodes."""
    lines = []
    for v in violations:
        nodes = "; ".join(" ".join(n.get("target", [])) for n in v.get("nodes", [])[:3])
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} [{nodes}]")
    return "\n".join(lines)


def assert_accessible(page: Any, label: str = "") -> None:
    """Fail the test when axe finds a serious or critical violation on the page."""
    found = axe_violations(page)
    if found:
        pytest.fail(f"accessibility violations on {label or page.url}:\n{describe(found)}")
