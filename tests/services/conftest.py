"""Tests that need the real services (PostgreSQL, Redis) started by scripts/services.

The README's test command always starts them and exports CHAIR_TEST_*; a developer's
plain ``pytest`` without them does not collect this folder (the header says so).
"""

from __future__ import annotations

import os

REQUIRED = ("CHAIR_TEST_DATABASE_URL", "CHAIR_TEST_BROKER_URL")
MISSING = [name for name in REQUIRED if not os.environ.get(name)]

collect_ignore_glob = ["test_*.py"] if MISSING else []


def pytest_report_header(config):
    if MISSING:
        return f"tests/services: not collected, {', '.join(MISSING)} unset (scripts/test starts the services)"
    return "tests/services: real PostgreSQL and Redis"
