"""A deleted repository or member stays out of everything that harvests or lists the live network.

Its records remain as deleted records for OAI-PMH (tests/provider/test_deletions.py); here: it is
never harvested again, and the CLI listings and the health dashboard no longer show it.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from hub.cli import cli
from hub.harvest.gather import harvest_repository
from hub.health.dashboard import network_health
from hub.members import remove_institution, remove_repository
from hub.pipeline.harvest import harvest
from hub.states import RunState


def _chair(hub, *args: str) -> str:
    result = CliRunner().invoke(cli, list(args), obj={"hub": hub, "instance": hub.settings["INSTANCE_PATH"]})
    assert result.exit_code == 0, result.output
    return result.output


def test_a_removed_repository_is_never_harvested_nor_listed(hub, network):
    assert harvest(hub, network.donghai_repo).summary.state == RunState.SUCCEEDED
    with hub.db.session() as session:
        remove_repository(session, network.donghai_repo)
    summary = harvest_repository(hub.db, hub.pm, hub.settings, network.donghai_repo)
    assert summary.state == RunState.FAILED and summary.run_id is None and "deleted" in summary.message
    listed = {r["id"] for r in json.loads(_chair(hub, "repo", "list", "--json"))}
    assert network.donghai_repo not in listed and network.xiling_repo in listed
    with hub.db.session() as session:
        assert network.donghai_repo not in {r.repository_id for r in network_health(session, hub.settings)}


def test_a_removed_member_is_not_listed(hub, network):
    with hub.db.session() as session:
        remove_institution(session, "xiling")
    slugs = {m["slug"] for m in json.loads(_chair(hub, "member", "list", "--json"))}
    assert "xiling" not in slugs and slugs
