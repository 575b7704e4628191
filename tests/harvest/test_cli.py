"""The chair CLI as a user drives it: register, harvest, list runs, and clear one-line errors."""

from __future__ import annotations

import json
import traceback

import pytest
from click.testing import CliRunner

from hub.cli import cli


@pytest.fixture
def chair(hub):
    runner = CliRunner()

    def run(*args: str, code: int = 0):
        result = runner.invoke(cli, list(args), obj={"hub": hub, "instance": hub.settings["INSTANCE_PATH"]})
        if result.exc_info and not isinstance(result.exception, SystemExit):
            traceback.print_exception(*result.exc_info)  # shown by pytest when the assertion fails
        assert result.exit_code == code, result.output
        return result.output

    return run


def test_register_harvest_and_read_runs(chair, site):
    sample = site.repo("eprints")
    chair("member", "add", "xiling", "--name-en", "Xiling University of Technology", "--name-zh", "西岭理工大学",
          "--region", "Sichuan")
    members = json.loads(chair("member", "list", "--json"))
    assert members[0]["name_zh"] == "西岭理工大学"
    repo_id = int(chair("repo", "add", "--member", "xiling", sample.base_url(site.url)).strip())
    summary = json.loads(chair("harvest", str(repo_id), "--json"))[0]
    assert summary["state"] == "succeeded" and summary["counts"]["seen"] == sample.records
    text = chair("harvest", str(repo_id))
    assert f"repository {repo_id}: succeeded" in text and "0 new" in text
    runs = json.loads(chair("runs", str(repo_id), "--json"))
    assert [r["kind"] for r in runs] == ["incremental", "full"]
    # a run's start and end are kept to the microsecond: a quick run reads "0.042 s", not "<1 s" or "0"
    assert all(r["duration"] > 0 and r["duration"] != int(r["duration"]) for r in runs)
    assert "<1 s" not in chair("runs", str(repo_id))
    repos = json.loads(chair("repo", "list", "--json"))
    assert repos[0]["records"] + repos[0]["deleted"] == sample.records
    assert "oai" in chair("plugins")


def test_harvest_all_skips_paused_repositories(chair, site):
    chair("member", "add", "donghai", "--name-en", "Donghai University")
    first = chair("repo", "add", "--member", "donghai", site.repo("dspace").base_url(site.url)).strip()
    second = chair("repo", "add", "--member", "donghai", site.repo("eprints").base_url(site.url)).strip()
    chair("repo", "pause", second)
    summaries = json.loads(chair("harvest", "--all", "--json"))
    assert [s["repository_id"] for s in summaries] == [int(first)]


def test_repo_check_reports_and_stores(chair, site, hub):
    from hub.models import Repository

    chair("member", "add", "donghai", "--name-en", "Donghai University")
    repo_id = chair("repo", "add", "--member", "donghai", site.repo("dspace").base_url(site.url)).strip()
    report = json.loads(chair("repo", "check", repo_id, "--json"))
    assert report["reachable"] and report["facts"]["granularity"]
    assert report["facts"]["sample"] > 0
    with hub.db.session() as session:
        assert session.get(Repository, int(repo_id)).check_report["reachable"] is True


@pytest.mark.parametrize("args, message", [
    (("repo", "add", "--member", "nobody", "http://127.0.0.1:1/oai"), "no member 'nobody'"),
    (("member", "add", "Bad Slug!", "--name-en", "X"), "invalid slug"),
    (("repo", "pause", "999"), "no repository with id 999"),
    (("repo", "add", "--member", "mm", "--platform", "nope", "http://127.0.0.1:1/oai"), "unknown platform"),
    (("repo", "add", "--member", "mm", "ftp://127.0.0.1/oai"), "only http and https"),
])
def test_user_errors_print_one_line_and_exit_non_zero(chair, args, message):
    chair("member", "add", "mm", "--name-en", "Member")
    output = chair(*args, code=1)
    assert message in output
    assert output.startswith("Error:") and output.count("\n") == 1


def test_harvest_without_arguments_is_a_usage_error(chair):
    assert "name repository ids or use --all" in chair("harvest", code=2)


def test_private_address_refused_on_the_cli(chair, hub, site):
    hub.configure(ALLOW_PRIVATE_ADDRESSES=False)
    chair("member", "add", "m2", "--name-en", "Member")
    output = chair("repo", "add", "--member", "m2", site.repo("dspace").base_url(site.url), code=1)
    assert "127.0.0.1" in output and "loopback" in output


@pytest.mark.parametrize("prefix", ["arXiv", "cmdi", "marc21"])
def test_repo_add_refuses_a_prefix_without_crosswalk(chair, hub, prefix):
    from sqlalchemy import func, select

    from hub.models import Repository

    chair("member", "add", "mm", "--name-en", "Member")
    output = chair("repo", "add", "--member", "mm", "--prefix", prefix, "http://127.0.0.1:1/oai", code=1)
    assert output.startswith("Error:") and output.count("\n") == 1
    assert f"the oai platform has no crosswalk for {prefix!r}" in output
    assert "use the oai-mapped platform with a mapping, or one of: " in output and "oai_dc" in output
    assert "转换规则" in output
    with hub.db.session() as session:
        assert session.scalar(select(func.count(Repository.id))) == 0
    options = json.dumps({"fields": {"titles": "*[local-name()='title']"}})
    added = chair("repo", "add", "--member", "mm", "--prefix", prefix, "--platform", "oai-mapped", "--paused",
                  "--options", options, "http://127.0.0.1:1/oai")  # nothing answers there: saved paused
    assert added.splitlines()[0].isdigit() and "saved paused" in added
