"""A harvester from outside PyPI: the npm ``oai-pmh`` package, run by Node, harvests the endpoint.

It must return, for every format and set, exactly the identifiers the database holds (the same
rule the two PyPI clients are held to in test_clients.py). ``scripts/test`` installs the package
into the services cache (``CHAIR_NODE_MODULES``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.provider.test_clients import FORMATS, database_lists, live_url  # noqa: F401 - fixture

SCRIPT = Path(__file__).with_name("node_harvest.cjs")
NODE_MODULES = os.environ.get("CHAIR_NODE_MODULES", "/var/cache/chair-services/npm/node_modules")


def node_ids(url: str, verb: str, prefix: str, spec: str) -> set[str]:
    node = shutil.which("node")
    if node is None or not Path(NODE_MODULES, "oai-pmh").is_dir():
        pytest.fail(f"node and the npm package oai-pmh are needed in {NODE_MODULES} (scripts/test installs them)")
    args = [node, str(SCRIPT), url, verb, prefix] + ([spec] if spec else [])
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, env={**os.environ, "NODE_PATH": NODE_MODULES})
    assert done.returncode == 0, done.stderr[-2000:]
    return set(done.stdout.split())


def test_npm_harvester_gets_every_list_whole(hub, live_url):  # noqa: F811 - the fixture
    expected = database_lists(hub)
    for prefix in FORMATS:
        for spec in ("", "openaire", "fulltext"):
            want = expected.get((prefix, spec), set())
            assert node_ids(live_url, "ListIdentifiers", prefix, spec) == want, (prefix, spec)
        assert node_ids(live_url, "ListRecords", prefix, "") == expected.get((prefix, ""), set()), prefix
