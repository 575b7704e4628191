"""Browser tests' shared part: Debian's Chromium driven by Playwright (never a downloaded browser).

Every page opened through :func:`chromium_page` is watched for Content-Security-Policy violations
(Chromium reports each one as a console message): a page of the hub that breaks its own policy
(an inline script, an inline style, a resource from elsewhere) fails the test that opened it.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright import sync_api as playwright_sync

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"  # screenshots, gitignored
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
CSP_MESSAGE = re.compile(r"Content[- ]Security[- ]Policy", re.IGNORECASE)


@contextmanager
def chromium_page(width: int = 1280, height: int = 900, *,
                  allow_csp_violations: bool = False) -> Iterator[playwright_sync.Page]:
    """A fresh page of a headless Chromium that accepts downloads; fails when Chromium is missing.

    Console messages about the Content-Security-Policy are collected in ``page.csp_violations``;
    unless ``allow_csp_violations``, any of them fails the test when the page closes.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: apt-get install -y chromium")
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright_sync.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(accept_downloads=True, viewport={"width": width, "height": height})
        violations: list[str] = []

        def watch(message: playwright_sync.ConsoleMessage) -> None:
            if CSP_MESSAGE.search(message.text):
                violations.append(f"{message.location.get('url', '')}: {message.text}")

        context.on("console", watch)
        try:
            page = context.new_page()
            page.csp_violations = violations
            yield page
            if violations and not allow_csp_violations:
                pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations))
        finally:
            context.close()
            browser.close()
